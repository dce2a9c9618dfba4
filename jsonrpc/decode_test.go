package jsonrpc_test

import (
	"testing"

	"github.com/seed-fe72f376/orchard/jsonrpc"
)

// TestDecodeMemberNamesAreCaseSensitive checks that member names match
// exactly, as JSON-RPC 2.0 requires: "Method", "ID" or "JSONRPC" is not
// the member it resembles, so such a request is invalid (-32600), and an
// unknown member beside the right one is ignored.
func TestDecodeMemberNamesAreCaseSensitive(t *testing.T) {
	for _, in := range []string{
		`{"jsonrpc":"2.0","id":1,"Method":"echo"}`,
		`{"JSONRPC":"2.0","id":1,"method":"echo"}`,
		`{"Jsonrpc":"2.0","ID":1,"METHOD":"echo"}`,
		`{"jsonrpc":"2.0","id":1,"meth\u006fD":"echo"}`,
		`{"jſonrpc":"2.0","id":1,"method":"echo"}`, // U+017F folds to s
	} {
		reqs, errs, _ := jsonrpc.Decode([]byte(in))
		if len(reqs) != 0 || len(errs) != 1 || errs[0].Error.Code != jsonrpc.CodeInvalidRequest {
			t.Errorf("Decode(%s) = %v, %v; want one -32600 error", in, reqs, errs)
		}
	}
	// "ID" is not "id": the request below is a notification.
	reqs, errs, _ := jsonrpc.Decode([]byte(`{"jsonrpc":"2.0","ID":1,"method":"echo"}`))
	if len(errs) != 0 || len(reqs) != 1 || !reqs[0].IsNotification() {
		t.Errorf(`Decode with "ID" = %+v, %v; want a notification`, reqs, errs)
	}
	// Exact names, escaped or not, and unknown members beside them.
	for _, in := range []string{
		`{"jsonrpc":"2.0","id":7,"method":"echo","Method":"other","params":[1]}`,
		`{"Method":"other","\u006dethod":"echo","jsonrpc":"2.0","id":7,"x":{"method":"no"},"params":[1]}`,
		` { "params" : [1] , "id" : 7 , "method" : "echo" , "jsonrpc" : "2.0" } `,
	} {
		reqs, errs, _ := jsonrpc.Decode([]byte(in))
		if len(errs) != 0 || len(reqs) != 1 || reqs[0].Method != "echo" || string(reqs[0].ID) != "7" || string(reqs[0].Params) != "[1]" {
			t.Errorf("Decode(%s) = %+v, %v; want echo with id 7 and params [1]", in, reqs, errs)
		}
	}
}
