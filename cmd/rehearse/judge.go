package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/rehearse-dev/rehearse/verdict"
)

// judgeOptions are the flags every command that judges a change shares, so
// plan, approve and sandbox run judge the same change the same way.
type judgeOptions struct {
	Policy      string
	Origin      string
	OriginRange string
	Workspace   string
}

func (j *judgeOptions) addFlags(cmd *cobra.Command, workspace bool) {
	f := cmd.Flags()
	f.StringVar(&j.Policy, "policy", "", "policy file (default: the built-in policy; see `rehearse policy init`)")
	f.StringVar(&j.Origin, "origin", "", "who wrote the change: human, ai or auto (read from the commits' trailers, authors and committers; default $REHEARSE_ORIGIN, else human)")
	f.StringVar(&j.OriginRange, "origin-range", "", "with --origin auto: the commits to read, BASE..HEAD, e.g. origin/main..HEAD (default: HEAD only)")
	if workspace {
		f.StringVar(&j.Workspace, "workspace", "", "Terraform workspace, used as the environment of resources nothing else places")
	}
}

// load reads the policy and resolves the origin; both fail closed.
func (j *judgeOptions) load(ctx context.Context) (verdict.Policy, verdict.OriginInfo, error) {
	pol, err := loadPolicy(j.Policy)
	if err != nil {
		return verdict.Policy{}, verdict.OriginInfo{}, err
	}
	origin, err := resolveOrigin(ctx, j.Origin, j.OriginRange, &pol)
	if err != nil {
		return verdict.Policy{}, verdict.OriginInfo{}, err
	}
	return pol, origin, nil
}

// withTimeout bounds ctx by --timeout; 0 means no bound.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}
