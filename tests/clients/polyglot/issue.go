// The polyglot round trip's Go step (tests/clients): issues a
// client_credentials token as TOKEND_CLIENT_ID and prints it.
package main

import (
	"context"
	"fmt"
	"os"

	"google.golang.org/grpc"

	tokend "tokend.internal/clients/go"
)

func main() {
	c, err := tokend.Dial(os.Getenv("TOKEND_GRPC_ADDR"), os.Getenv("TOKEND_CLIENT_ID"),
		os.Getenv("TOKEND_CLIENT_SECRET"), grpc.WithInsecure())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	tok, err := c.Issue(context.Background(), tokend.IssueOptions{Scopes: []string{"read"}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(tok.AccessToken)
}
