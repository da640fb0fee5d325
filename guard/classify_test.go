package guard

import (
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/verdict"
)

// decide runs a line through Analyze and Classify the way the hook does:
// the line's decision is the strongest of its invocations', and plan says
// whether some invocation is a terraform call left to plan.
func decide(t testing.TB, line, cwd string, p *verdict.Policy) (Decision, []*TerraformCall) {
	t.Helper()
	invs, err := Analyze(line, cwd)
	if err != nil {
		return Decision{Permission: Deny, Reason: err.Error()}, nil
	}
	var ds []Decision
	var plans []*TerraformCall
	for i := range invs {
		d, tc := Classify(&invs[i], p)
		ds = append(ds, d)
		if tc != nil {
			plans = append(plans, tc)
		}
	}
	return Strongest(ds...), plans
}

// plainLine reports whether the line parses and every command in it is
// Plain.
func plainLine(line, cwd string) bool {
	invs, err := Analyze(line, cwd)
	if err != nil {
		return false
	}
	for i := range invs {
		if !Plain(&invs[i]) {
			return false
		}
	}
	return true
}

func TestClassifyLines(t *testing.T) {
	t.Setenv("HOME", "/home/dev")
	const tree = "/work/repo"
	tests := []struct {
		line string
		want Permission
		plan bool   // a terraform call is left to plan
		in   string // a word the reason must hold
	}{
		// benign
		{line: "ls -la", want: Allow},
		{line: "git status", want: Allow},
		{line: "go test ./...", want: Allow},
		{line: "cat README.md | grep -i terraform | wc -l", want: Allow},
		{line: `echo "kubectl delete ns prod"`, want: Allow},
		{line: `git commit -m "terraform destroy the old module"`, want: Allow},
		{line: "make test", want: Allow},
		{line: "npm run build", want: Allow},
		{line: "kubectl get pods -n prod", want: Allow},
		{line: "docker compose down", want: Allow},
		{line: "docker volume ls", want: Allow},
		{line: "ls $HOME", want: Allow},
		{line: "command -v terraform", want: Allow},

		// terraform read-only
		{line: "terraform plan -out=tf.plan", want: Allow},
		{line: "terraform plan -destroy", want: Allow},
		{line: "terraform init -upgrade && terraform validate", want: Allow},
		{line: "tofu fmt -recursive", want: Allow},
		{line: "terraform state list", want: Allow},
		{line: "terraform state show aws_db_instance.main", want: Allow},
		{line: "terraform workspace select prod", want: Allow},
		{line: "terraform output -json", want: Allow},
		{line: "terraform -version", want: Allow},

		// terraform mutations: planned by the caller
		{line: "terraform apply", want: Allow, plan: true},
		{line: "terraform destroy -auto-approve", want: Allow, plan: true},
		{line: "tofu apply tf.plan", want: Allow, plan: true},
		{line: `bash -c "terraform destroy"`, want: Allow, plan: true},
		{line: "sh -c 'cd infra && terraform apply -auto-approve'", want: Allow, plan: true},
		{line: "cd infra && TF_WORKSPACE=prod terraform apply -auto-approve", want: Allow, plan: true},
		{line: "terraform -chdir=prod apply", want: Allow, plan: true},
		{line: "sudo -E env TF_LOG=debug nohup time terraform destroy -target=aws_db_instance.main", want: Allow, plan: true},
		{line: `ter\raform destroy`, want: Allow, plan: true},
		{line: `"terraform" 'destroy'`, want: Allow, plan: true},
		{line: "terragrunt run-all apply", want: Allow, plan: true},
		{line: "eval 'terraform destroy'", want: Allow, plan: true},
		{line: "echo x | xargs terraform destroy", want: Ask, plan: true, in: "xargs"},
		{line: "$(echo terraform) destroy", want: Ask, in: "not known"},
		{line: "terraform $CMD", want: Ask, in: "not known"},
		{line: "terraform apply -var-file=$VARS", want: Ask, plan: true, in: "not known"},
		{line: "cd $DIR && terraform apply", want: Ask, plan: true, in: "directory"},
		{line: "git checkout other && terraform apply -auto-approve", want: Ask, plan: true, in: "git checkout"},
		{line: "echo 'resource \"x\" \"y\" {}' > main.tf && terraform apply", want: Ask, plan: true, in: "before it"},
		{line: "terraform state rm aws_db_instance.main", want: Ask, in: "state"},
		{line: "tofu state mv a b", want: Ask},
		{line: "terraform state push errored.tfstate", want: Ask},
		{line: "terraform workspace delete staging", want: Ask},
		{line: "terraform workspace delete prod", want: Deny, in: `"prod"`},
		{line: "terraform force-unlock 1234", want: Ask},
		{line: "terraform taint aws_instance.web", want: Ask},
		{line: "terraform import aws_s3_bucket.b my-bucket", want: Ask},
		{line: "TF_WORKSPACE=production terraform state rm aws_db_instance.main", want: Deny},
		{line: "terraform frobnicate", want: Ask, in: "does not know"},

		// kubernetes, helm
		{line: "kubectl delete ns prod", want: Deny, in: `"prod"`},
		{line: "kubectl delete namespace staging", want: Ask},
		{line: "kubectl --context prod-eu delete pvc data", want: Deny, in: "prod-eu"},
		{line: "kubectl delete pvc,pod -l app=db", want: Ask},
		{line: "kubectl delete ns/prd-1", want: Deny},
		{line: "kubectl delete sts postgres -n dev", want: Ask},
		{line: "kubectl delete pods --all -n dev", want: Ask},
		{line: "kubectl delete deploy api -A", want: Ask},
		{line: "kubectl delete pod web-1 -n dev", want: Allow},
		{line: "kubectl apply --prune -l app=web -f k8s/", want: Ask},
		{line: "kubectl apply -f k8s/", want: Allow},
		{line: "kubectl replace --force -f pod.yaml", want: Ask},
		{line: "kubectl $VERB ns prod", want: Ask, in: "may be"},
		{line: "echo prod | xargs kubectl delete ns", want: Ask, in: "xargs"},
		{line: "helm uninstall api --namespace production", want: Deny},
		{line: "helm delete api", want: Ask},

		// clouds
		{line: "pulumi destroy --yes -s acme/prod", want: Deny},
		{line: "pulumi stack rm dev", want: Ask},
		{line: "npx cdk destroy --force", want: Ask},
		{line: "aws cloudformation delete-stack --stack-name web-staging", want: Ask},
		{line: "aws rds delete-db-instance --db-instance-identifier main --skip-final-snapshot", want: Ask},
		{line: "aws --profile prod rds delete-db-cluster --db-cluster-identifier c", want: Deny},
		{line: "aws dynamodb delete-table --table-name users", want: Ask},
		{line: "aws s3 rb s3://logs --force", want: Ask},
		{line: "aws s3 rb s3://logs", want: Allow},
		{line: "aws s3 rm s3://backups-prod/ --recursive", want: Deny},
		{line: "aws s3 ls s3://backups-prod/", want: Allow},
		{line: "AWS_PROFILE=live aws ec2 terminate-instances --instance-ids i-1", want: Deny},
		{line: "gcloud compute instances delete web-1 --zone europe-west1-b", want: Ask},
		{line: "gcloud compute instances list", want: Allow},
		{line: "gsutil -m rm -r gs://bucket/data", want: Ask},
		{line: "az group delete --name rg-dev --yes", want: Ask},
		{line: "az vm delete -g rg -n vm1", want: Ask},

		// docker
		{line: "docker volume rm pgdata", want: Ask},
		{line: "docker volume prune -f", want: Ask},
		{line: "docker system prune -af", want: Ask},
		{line: "docker compose down -v", want: Ask},
		{line: "docker-compose down --volumes", want: Ask},

		// SQL
		{line: "psql -c 'DROP TABLE users'", want: Ask, in: "drops table users"},
		{line: `psql -c "DELETE FROM users WHERE id=1"`, want: Allow},
		{line: `psql -c "DELETE FROM users"`, want: Ask, in: "every row"},
		{line: `psql -h prod-db.internal -c "TRUNCATE orders"`, want: Deny},
		{line: "mysql -e 'drop database shop'", want: Ask},
		{line: `mysql --execute="UPDATE users SET admin=1"`, want: Ask},
		{line: `sqlite3 app.db "SELECT * FROM users"`, want: Allow},
		{line: `sqlite3 app.db "DROP TABLE users"`, want: Ask},
		{line: "psql <<'EOF'\nDROP SCHEMA public CASCADE;\nEOF", want: Ask},
		{line: `echo "truncate table events" | psql`, want: Ask},
		{line: `psql -c "SELECT 'DROP TABLE x'"`, want: Allow},
		{line: "psql -f migrate.sql", want: Allow},
		{line: "dropdb shop", want: Ask},
		{line: "redis-cli FLUSHALL", want: Ask},

		// rm
		{line: "rm -rf ./build", want: Allow},
		{line: "rm -rf node_modules dist", want: Allow},
		{line: "rm -rf *.egg-info", want: Allow},
		{line: "rm -rf /", want: Deny},
		{line: "rm -rf ~", want: Deny},
		{line: "rm -r -f ~/", want: Deny},
		{line: "rm --recursive --force ..", want: Deny},
		{line: "rm -rf /etc", want: Deny},
		{line: "rm -rf /tmp/cache", want: Ask},
		{line: "rm -rf ../other-repo", want: Ask},
		{line: "cd .. && rm -rf repo", want: Deny},
		{line: "rm -rf .", want: Deny},
		{line: "rm -rf *", want: Ask},
		{line: "rm -rf $DIR", want: Ask},
		{line: "rm -rf ~/.ssh", want: Ask},
		{line: "rm file.txt /etc/hosts", want: Allow},
		{line: "find . -name '*.pyc' -delete", want: Allow},
		{line: "find / -name core -delete", want: Ask},
		{line: "find /srv -exec rm -rf {} +", want: Ask},

		// wrappers: what a Makefile or script runs is not read
		{line: "make deploy", want: Ask, in: "the Makefile's target `deploy`, which rehearse did not read"},
		{line: "make -C infra apply ENV=dev", want: Ask, in: "did not read"},
		{line: "./deploy.sh", want: Ask, in: "the script `./deploy.sh`, which rehearse did not read"},
		{line: "./scripts/test.sh", want: Allow},
		{line: "bash scripts/teardown.sh", want: Ask, in: "the script `scripts/teardown.sh`, which rehearse did not read"},
		{line: "sh ./release-prod.sh --yes", want: Ask, in: "did not read"},
		{line: "npm run deploy", want: Ask, in: "package.json's script `deploy`, which rehearse did not read"},
		{line: "npm run x", want: Allow},
		{line: "npm run migrate:prod", want: Ask, in: "did not read"},
		{line: "yarn db:drop", want: Ask, in: "package.json's script `db:drop`"},
		{line: "go run ./cmd/teardown", want: Ask, in: "the program `./cmd/teardown`"},
		{line: "python3 scripts/provision.py", want: Ask, in: "did not read"},
		{line: "cd infra && make apply", want: Ask, in: "did not read"},
		{line: "just release", want: Ask, in: "just's target `release`"},
		{line: "task prod", want: Ask, in: "protected environment"},
		{line: "task lint", want: Allow},

		// shell structure: pipelines, lists, subshells, groups, -c, env, -chdir
		{line: "(cd infra && terraform apply -auto-approve)", want: Allow, plan: true},
		{line: "{ terraform fmt; terraform destroy; }", want: Allow, plan: true},
		{line: "ls; rm -rf /", want: Deny},
		{line: "true && ls || kubectl delete ns prod", want: Deny},
		{line: "terraform show -json tf.plan | jq '.resource_changes' | less", want: Allow},
		{line: "cat names.txt | xargs -n1 echo", want: Allow},
		{line: "(ls) && (git status)", want: Allow},
		{line: "echo $(git rev-parse HEAD) > rev.txt", want: Allow},
		{line: "bash -c 'cd infra; tofu destroy -auto-approve'", want: Allow, plan: true},
		{line: "sh -c \"kubectl delete ns production\"", want: Deny},
		{line: "zsh -c 'psql -c \"DROP TABLE users\"'", want: Ask, in: "drops table users"},
		{line: "cd /tmp && ls", want: Allow},
		{line: "cd infra && terraform fmt -check", want: Allow},
		{line: "TF_IN_AUTOMATION=1 TF_WORKSPACE=prod terraform destroy", want: Allow, plan: true},
		{line: "env TF_LOG=info tofu apply -auto-approve", want: Allow, plan: true},
		{line: "AWS_PROFILE=prod aws s3 ls", want: Allow},
		{line: "terraform -chdir=infra/prod plan", want: Allow},
		{line: "tofu -chdir=envs/dev destroy -auto-approve", want: Allow, plan: true},
		{line: "terraform -chdir=$DIR apply", want: Ask, plan: true},
		{line: "terragrunt plan", want: Allow},
		{line: "terragrunt destroy", want: Allow, plan: true},
		{line: "terragrunt state rm aws_db_instance.main", want: Ask},
		{line: "tofu state list", want: Allow},
		{line: "tofu workspace delete prod", want: Deny},
		{line: "for d in a b; do terraform -chdir=$d destroy; done", want: Ask, plan: true},
		{line: "nohup terraform apply -auto-approve > apply.log 2>&1 &", want: Allow, plan: true},
		{line: `bash -c "$CMD"`, want: Ask, in: "not known"},

		// protected context through the environment and cd
		{line: "cd envs/prod && kubectl delete pvc data", want: Deny},
		{line: "export KUBECONTEXT=prod; kubectl delete pvc data", want: Deny},

		// parse errors fail closed
		{line: "echo 'unterminated", want: Deny},
		{line: "if then fi (", want: Deny},
	}
	if len(tests) < 60 {
		t.Fatalf("only %d lines", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			d, plans := decide(t, tt.line, tree, nil)
			if d.Permission != tt.want || (len(plans) > 0) != tt.plan {
				t.Fatalf("%q: got %s (plans %d), want %s (plan %v)\nreason: %s", tt.line, d.Permission, len(plans), tt.want, tt.plan, d.Reason)
			}
			// The hook answers a plain line without a policy: it must be
			// one the table allows without a plan.
			if plainLine(tt.line, tree) && (tt.want != Allow || tt.plan) {
				t.Errorf("%q: every command is Plain, but the line is %s (plan %v)", tt.line, tt.want, tt.plan)
			}
			if tt.in != "" && !strings.Contains(d.Reason, tt.in) {
				t.Errorf("%q: reason %q lacks %q", tt.line, d.Reason, tt.in)
			}
			if d.Permission != Allow && d.Reason == "" {
				t.Errorf("%q: %s without a reason", tt.line, d.Permission)
			}
		})
	}
}

func TestClassifyWrappedContext(t *testing.T) {
	tests := []struct {
		line string
		want Permission
		plan bool
	}{
		{"aws-vault exec prod -- kubectl delete pvc data", Deny, false},
		{"aws-vault exec dev -- terraform apply", Ask, true},
		{"doppler run -- terraform destroy", Ask, true},
		{"doppler run -- kubectl get pods", Allow, false},
		{"TF_CLI_ARGS='-destroy' terraform apply", Ask, true},
		{"terraform workspace select $WS && terraform apply", Ask, true},
		{"x=terraform; $x destroy", Allow, true},
		{"a=$'\\x74erraform'; $a destroy", Allow, true},
		{"env -S 'terraform destroy'", Allow, true},
		{"su -c 'terraform destroy' ops", Allow, true},
		{"echo $(terraform destroy)", Allow, true},
		{"f() { terraform destroy; }; f", Allow, true},
		{"busybox sh -c 'rm -rf /'", Deny, false},
		{"uv run pulumi destroy", Ask, false},
	}
	for _, tt := range tests {
		d, plans := decide(t, tt.line, "/work/repo", nil)
		if d.Permission != tt.want || (len(plans) > 0) != tt.plan {
			t.Errorf("%q: got %s (plans %d), want %s (plan %v): %s", tt.line, d.Permission, len(plans), tt.want, tt.plan, d.Reason)
		}
	}
}

// TestPlainUnderAnyPolicy checks Plain's promise: a plain command is
// allowed under a policy that protects every word in it and asks for
// every wrapper, and a command a built-in check or wrapper concerns is
// not plain.
func TestPlainUnderAnyPolicy(t *testing.T) {
	hostile := verdict.DefaultPolicy()
	hostile.Guard.WrapperWords = []string{"*"}
	hostile.Environments.Protected = append(hostile.Environments.Protected, "ls", "la", "git", "status", "cat", "grep", "echo", "go", "test", "work", "repo")
	for _, line := range []string{"ls -la", "git status", "go test ./...", "cat README.md | grep -i prod", "echo prod", "cd prod && ls", "jq . x.json"} {
		invs, err := Analyze(line, "/work/repo")
		if err != nil {
			t.Fatal(err)
		}
		for i := range invs {
			if !Plain(&invs[i]) {
				t.Errorf("%q: %v is not plain", line, invs[i].Argv)
				continue
			}
			if d, tc := Classify(&invs[i], &hostile); d.Permission != Allow || tc != nil {
				t.Errorf("%q: plain, but %s under the hostile policy: %s", line, d.Permission, d.Reason)
			}
		}
	}
	for _, line := range []string{"make test", "npm run build", "./x.sh", "rm -rf build", "find . -delete", "psql", "terraform plan", "tofu version", "kubectl delete pod x", "$X", `bash -c "$CMD"`, "eval $X", "docker volume ls"} {
		invs, err := Analyze(line, "/work/repo")
		if err != nil {
			t.Fatal(err)
		}
		if Plain(&invs[0]) {
			t.Errorf("%q is plain: a policy may change its answer", line)
		}
	}
}

// TestClassifyWithBase: a repository's rehearse.yaml (an agent can write
// it) may add rules and protection, but what it weakens does not let a
// command through that the base would stop.
func TestClassifyWithBase(t *testing.T) {
	base := verdict.DefaultPolicy()
	tests := []struct {
		name, repo, line string
		alone, with      Permission // under the repository policy alone; with the base
	}{
		{"allow rule", "guard:\n  rules:\n    - {match: kubectl, decision: allow}\n", "kubectl delete ns prod", Allow, Deny},
		{"protected_context ask", "guard:\n  protected_context: ask\n", "kubectl delete ns prod", Ask, Deny},
		{"ignored built-in", "guard:\n  ignore: [\"docker|podman volume rm|prune\"]\n", "docker volume rm pgdata", Allow, Ask},
		{"wrapper words removed", "guard:\n  wrapper_words: [lint]\n", "make deploy", Allow, Ask},
		{"added rule", "guard:\n  rules:\n    - {match: \"curl -X DELETE\", decision: deny}\n", "curl -X DELETE https://api/x", Deny, Deny},
		{"added protection", "environments:\n  protected: [prod, production, prd, live, qa]\n", "kubectl delete ns qa", Deny, Deny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo, err := verdict.ParsePolicyOver(base, "rehearse.yaml", []byte("apiVersion: rehearse/v1\nkind: Policy\n"+tt.repo))
			if err != nil {
				t.Fatal(err)
			}
			invs, err := Analyze(tt.line, "/work/repo")
			if err != nil || len(invs) != 1 {
				t.Fatalf("%v %v", invs, err)
			}
			if d, _ := Classify(&invs[0], &repo); d.Permission != tt.alone {
				t.Errorf("alone: %s, want %s: %s", d.Permission, tt.alone, d.Reason)
			}
			if d, _ := ClassifyWith(&invs[0], &repo, &base); d.Permission != tt.with {
				t.Errorf("with the base: %s, want %s: %s", d.Permission, tt.with, d.Reason)
			}
		})
	}
}
