package planjson_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/rehearse-dev/rehearse/planners/terraform/planjson"
)

// Read turns plan JSON (terraform show -json) into a change.Set; anything it
// cannot fully understand is an error naming the file and the problem.
func ExampleRead() {
	plan := `{"format_version":"1.2","terraform_version":"1.5.7","resource_changes":[
	  {"address":"aws_db_instance.main","mode":"managed","type":"aws_db_instance","name":"main",
	   "change":{"actions":["delete","create"],"before":{"engine_version":"15","tags":{"env":"prod"}},
	             "after":{"engine_version":"16","tags":{"env":"prod"}},"replace_paths":[["engine_version"]]}}]}`
	set, err := planjson.Read(context.Background(), strings.NewReader(plan), planjson.File("plan.json"))
	if err != nil {
		fmt.Println(err)
		return
	}
	r := set.Resources[0]
	fmt.Println(r.Address, r.Action, r.ReplaceOrder, r.ReplacePaths[0].Path, r.Labels["env"])

	_, err = planjson.Read(context.Background(), strings.NewReader(`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["delete"],"actions":["no-op"]}}]}`), planjson.File("plan.json"))
	fmt.Println(err)
	// Output:
	// aws_db_instance.main replace delete-then-create engine_version prod
	// plan.json: duplicate key "actions" in resource_changes[0]: terraform never writes one (at byte 103)
}
