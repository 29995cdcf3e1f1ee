/** globalThis, untyped: the bridge reads every browser global at call time (tests swap them). */
export const g: any = globalThis;
