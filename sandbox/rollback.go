package sandbox

import "context"

// Rollback runs the environment's rollback steps after Apply, as Apply
// runs the change's: in order, each under its own timeout, stopping at
// the first that fails, and it returns the Docker events while they ran.
// Their progress and errors say "rollback step N". Whether they restore
// what was there is for the caller to judge from snapshots before the
// change and after the rollback.
func (s *Sandbox) Rollback(ctx context.Context) ([]Event, error) {
	return s.runSteps(ctx, "rollback ", s.env.Rollback)
}
