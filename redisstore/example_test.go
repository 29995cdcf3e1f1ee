package redisstore_test

import (
	"fmt"

	"github.com/chirpkit/passkeys/redisstore"
	"github.com/chirpkit/passkeys/server"
	"github.com/redis/go-redis/v9"
)

// Several instances behind a load balancer share their pending ceremonies in Redis.
func ExampleNew() {
	client := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
	defer client.Close()
	_, err := server.New(server.Config{
		RPID:    "example.com",
		Origins: []string{"https://example.com"},
		Store:   redisstore.New(client, redisstore.Options{Prefix: "myapp:passkeys:"}),
	})
	fmt.Println(err)
	// Output: <nil>
}

// Sentinel and Cluster clients are redis.UniversalClients too.
func ExampleNew_cluster() {
	client := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"redis-1:6379", "redis-2:6379", "redis-3:6379"}})
	defer client.Close()
	store := redisstore.New(client, redisstore.Options{})
	fmt.Printf("%T\n", store)
	// Output: *redisstore.Store
}
