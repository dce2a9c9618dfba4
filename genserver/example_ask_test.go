package genserver_test

import (
	"context"
	"fmt"

	"github.com/seed-fe72f376/orchard/genserver"
)

// bank is a server whose requests declare their reply types.
type bank struct{ accounts map[string]int }

// balance asks for an account's balance: the reply is an int.
type balance struct {
	genserver.Req[int]
	Account string
}

// owners asks for the account names: the reply is a []string.
type owners struct{ genserver.Req[[]string] }

func (b *bank) Init(*genserver.Self) error {
	b.accounts = map[string]int{"alice": 120, "bob": 7}
	return nil
}

func (b *bank) HandleCall(_ *genserver.Self, _ genserver.From, req any) (any, error) {
	switch r := req.(type) {
	case balance:
		return r.Reply(b.accounts[r.Account]) // r.Reply takes an int only
	case owners:
		return r.Reply([]string{"alice", "bob"})
	}
	return nil, fmt.Errorf("unknown request %T", req)
}

// Ask infers the reply type from the request: n is an int and names a
// []string, with no type argument; asking for another type does not
// compile.
func ExampleAsk() {
	node := newNode()
	defer node.Stop(context.Background())
	ctx := context.Background()

	pid, _ := genserver.Start(node, &bank{})
	n, err := genserver.Ask(ctx, pid, balance{Account: "alice"})
	fmt.Println(n+1, err)
	names, _ := genserver.Ask(ctx, pid, owners{})
	fmt.Println(len(names), names[0])
	// Output:
	// 121 <nil>
	// 2 alice
}
