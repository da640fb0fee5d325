package sandbox

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/client"
)

// Event is one Docker event on an object of the sandbox.
type Event struct {
	Time   time.Time `json:"time"`
	Type   string    `json:"type"`   // container, volume or network
	Action string    `json:"action"` // create, start, die or destroy
	// Object is the service or volume name in the environment file, or
	// "runner" for a script step's container, or "network".
	Object   string `json:"object"`
	ID       string `json:"id"`
	ExitCode string `json:"exit_code,omitempty"`
}

// String is a one-line account of the event.
func (e Event) String() string {
	s := fmt.Sprintf("%s %s %s %s", e.Time.UTC().Format("15:04:05.000"), e.Type, e.Object, e.Action)
	if e.ID != "" && e.Type == "container" {
		s += " " + short(e.ID)
	}
	if e.ExitCode != "" {
		s += " (exit " + e.ExitCode + ")"
	}
	return s
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// StepError is a change step that failed, timed out or was cancelled.
type StepError struct {
	Index int
	Step  string
	Err   error
	// Output is what the step printed (its last 4 KiB), redacted; empty
	// when it printed nothing or never ran.
	Output string
}

func (e *StepError) Error() string { return e.Step + ": " + e.Err.Error() }
func (e *StepError) Unwrap() error { return e.Err }

// Apply runs the environment's change steps in order, each under its own
// timeout, and returns the Docker events on the sandbox's objects while
// they ran. It stops at the first failing step; the events up to then are
// still returned.
func (s *Sandbox) Apply(ctx context.Context) ([]Event, error) {
	return s.runSteps(ctx, "", s.env.Change)
}

// runSteps runs steps as Apply describes; prefix starts their labels
// ("rollback ").
func (s *Sandbox) runSteps(ctx context.Context, prefix string, steps []Step) ([]Event, error) {
	start := time.Now()
	var stepErr error
	for i := range steps {
		st := &steps[i]
		s.progress("%s%s", prefix, st.Label(i))
		sctx, cancel := context.WithTimeout(ctx, st.timeout())
		out, err := s.step(sctx, i, st)
		if err != nil && sctx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
			err = fmt.Errorf("timed out after %s: %w", st.timeout(), err)
		}
		cancel()
		if err != nil {
			stepErr = &StepError{Index: i, Step: prefix + st.Label(i), Err: err, Output: s.redact(tail(out, 4096))}
			break
		}
	}
	// The events are read back for the window the steps ran in, so
	// nothing is missed between subscribing and the first step.
	ectx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	evs, err := s.events(ectx, start, time.Now())
	if stepErr != nil {
		return evs, stepErr
	}
	return evs, err
}

// step runs one step and returns what it printed, if it prints.
func (s *Sandbox) step(ctx context.Context, i int, st *Step) (string, error) {
	switch {
	case st.Exec != nil:
		sv, err := s.service(st.Exec.Service)
		if err != nil {
			return "", err
		}
		code, out, err := execOutput(ctx, s.cli, sv.id, st.Exec.Command)
		if err == nil && ctx.Err() != nil {
			err = ctx.Err()
		}
		if err != nil {
			return out, err
		}
		if code != 0 {
			return out, fmt.Errorf("exit %d: %s", code, s.redact(clip(strings.TrimSpace(out))))
		}
		return out, nil
	case st.Update != nil:
		return "", s.update(ctx, st.Update)
	case st.Remove != nil:
		return "", s.remove(ctx, st.Remove)
	case st.Script != nil:
		return s.script(ctx, i, st.Script)
	}
	return "", fmt.Errorf("empty step")
}

// tail keeps the last n bytes of a step's output: where it failed.
func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func (s *Sandbox) service(name string) (*service, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sv := s.services[name]
	if sv == nil {
		return nil, fmt.Errorf("service %s is not running", name)
	}
	return sv, nil
}

// allNetworks are every network of the sandbox, for a runner that must
// reach every service.
func (s *Sandbox) allNetworks() map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]string{}
	for _, ref := range s.networks {
		out[ref.Name] = nil
	}
	return out
}

// update converges a service on its new spec as compose does: recreate
// when the configuration hash changes, else leave it alone.
func (s *Sandbox) update(ctx context.Context, u *UpdateStep) error {
	if u.next != nil {
		return s.converge(ctx, u.next)
	}
	sv, err := s.service(u.Service)
	if err != nil {
		return err
	}
	next := sv.spec.merged(u)
	image, err := s.image(ctx, u.Service, next)
	if err != nil {
		return err
	}
	if configHash(image, next) == configHash(sv.image, sv.spec) {
		s.progress("%s: unchanged", u.Service)
		return nil
	}
	s.progress("%s: recreate", u.Service)
	if err := removeContainer(ctx, s.cli, sv.id, stopTimeout(sv.spec)); err != nil {
		return fmt.Errorf("remove %s: %w", u.Service, err)
	}
	s.mu.Lock()
	delete(s.services, u.Service)
	s.mu.Unlock()
	return s.start(ctx, u.Service, next, false)
}

func (s *Sandbox) remove(ctx context.Context, r *RemoveStep) error {
	sv, err := s.service(r.Service)
	if err != nil {
		return err
	}
	if err := removeContainer(ctx, s.cli, sv.id, stopTimeout(sv.spec)); err != nil {
		return fmt.Errorf("remove %s: %w", r.Service, err)
	}
	s.mu.Lock()
	delete(s.services, r.Service)
	s.mu.Unlock()
	if !r.Volumes {
		return nil
	}
	for _, v := range slices.Sorted(maps.Keys(sv.spec.Volumes)) {
		s.mu.Lock()
		dn, ok := s.volumes[v]
		s.mu.Unlock()
		if !ok {
			continue
		}
		if _, err := s.cli.VolumeRemove(ctx, dn, client.VolumeRemoveOptions{}); err != nil && !isNotFound(err) {
			return fmt.Errorf("remove volume %s: %w", v, err)
		}
		s.mu.Lock()
		delete(s.volumes, v)
		s.mu.Unlock()
	}
	return nil
}

// script runs in a throwaway container on the sandbox network; it is
// removed afterwards whatever happens, and carries the run's labels so
// that Down and Prune find it if that removal is interrupted.
func (s *Sandbox) script(ctx context.Context, i int, sc *ScriptStep) (string, error) {
	labels := s.labels()
	labels[LabelService] = "runner"
	if err := ensureImage(ctx, s.cli, sc.Image); err != nil {
		return "", err
	}
	id, err := createContainer(ctx, s.cli, containerSpec{
		Name:     fmt.Sprintf("rehearse-%s-runner-%d", s.run, i+1),
		Image:    sc.Image,
		Cmd:      []string{"/bin/sh", "-c", sc.Run},
		Env:      sc.Env,
		Labels:   labels,
		Networks: s.allNetworks(),
	})
	if id != "" {
		defer func() {
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			removeContainer(dctx, s.cli, id, 0)
		}()
	}
	if err != nil {
		return "", fmt.Errorf("create runner: %w", err)
	}
	if _, err := s.cli.ContainerStart(ctx, id, client.ContainerStartOptions{}); err != nil {
		return "", fmt.Errorf("start runner: %w", err)
	}
	w := s.cli.ContainerWait(ctx, id, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
	select {
	case res := <-w.Result:
		if res.StatusCode != 0 {
			out, _ := containerLogs(context.WithoutCancel(ctx), s.cli, id, 1<<20)
			out = strings.TrimSpace(out)
			return out, fmt.Errorf("script exit %d: %s", res.StatusCode, s.redact(clip(tail(out, 200))))
		}
		return "", nil
	case err := <-w.Error:
		return "", err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (s *Sandbox) events(ctx context.Context, since, until time.Time) ([]Event, error) {
	ts := func(t time.Time) string { return fmt.Sprintf("%d.%09d", t.Unix(), t.Nanosecond()) }
	f := client.Filters{}.
		Add("type", "container", "volume", "network").
		Add("event", "create", "start", "die", "destroy")
	res := s.cli.Events(ctx, client.EventsListOptions{Since: ts(since), Until: ts(until.Add(time.Millisecond)), Filters: f})
	prefix := "rehearse-" + s.run + "-"
	var out []Event
	for {
		select {
		case m, ok := <-res.Messages:
			if !ok {
				return out, nil
			}
			if e, ok := s.event(m, prefix); ok {
				out = append(out, e)
			}
		case err := <-res.Err:
			if err == nil || err == io.EOF {
				return out, nil
			}
			return out, fmt.Errorf("docker events: %w", err)
		}
	}
}

func (s *Sandbox) event(m events.Message, prefix string) (Event, bool) {
	e := Event{Time: time.Unix(0, m.TimeNano), Type: string(m.Type), Action: string(m.Action), ID: m.Actor.ID}
	a := m.Actor.Attributes
	switch m.Type {
	case events.ContainerEventType:
		if a[LabelRun] != s.run {
			return e, false
		}
		e.Object = a[LabelService]
		e.ExitCode = a["exitCode"]
	case events.VolumeEventType:
		if !strings.HasPrefix(m.Actor.ID, prefix) {
			return e, false
		}
		e.Object = strings.TrimPrefix(m.Actor.ID, prefix)
	case events.NetworkEventType:
		e.Object = ""
		s.mu.Lock()
		for n, ref := range s.networks {
			if m.Actor.ID == ref.ID || a["name"] == ref.Name {
				e.Object = "network"
				if n != DefaultNetwork {
					e.Object = "network " + n
				}
			}
		}
		s.mu.Unlock()
		if e.Object == "" {
			return e, false
		}
	default:
		return e, false
	}
	return e, true
}

// Exec runs a command in a running service outside the change steps (as
// a person with --keep would) and returns its exit code and redacted
// output.
func (s *Sandbox) Exec(ctx context.Context, service string, cmd []string) (int, string, error) {
	sv, err := s.service(service)
	if err != nil {
		return 0, "", err
	}
	code, out, err := execOutput(ctx, s.cli, sv.id, cmd)
	return code, s.redact(out), err
}

// converge brings the sandbox to a changed compose project as `docker
// compose up` does: new networks and volumes are created, each service
// whose configuration changed is recreated (its seed commands do not run
// again: that is how a recreate that loses data shows), new services are
// started (and seeded), unchanged ones are left alone, in dependency
// order. Services the new file no longer has are left running, as compose
// leaves orphans.
func (s *Sandbox) converge(ctx context.Context, next *Environment) error {
	if err := s.createNetworks(ctx, next); err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(next.Services)) {
		for v := range next.Services[name].Volumes {
			if err := s.ensureVolume(ctx, v); err != nil {
				return err
			}
		}
	}
	s.mu.Lock()
	for name := range s.services {
		if next.Services[name] == nil {
			s.progress("%s: orphan (not in the new compose file), left running", name)
		}
	}
	s.mu.Unlock()
	prev := s.env
	s.env = next
	done := map[string]bool{}
	for len(done) < len(next.Services) {
		progressed := false
		for _, name := range slices.Sorted(maps.Keys(next.Services)) {
			spec := next.Services[name]
			if done[name] || !allDone(spec.DependsOn, done) {
				continue
			}
			done[name], progressed = true, true
			s.mu.Lock()
			sv := s.services[name]
			s.mu.Unlock()
			if sv == nil {
				s.progress("%s: create", name)
				if err := s.start(ctx, name, spec, true); err != nil {
					return err
				}
				continue
			}
			image, err := s.image(ctx, name, spec)
			if err != nil {
				return err
			}
			if configHash(image, spec) == configHash(sv.image, sv.spec) {
				s.progress("%s: unchanged", name)
				continue
			}
			s.progress("%s: recreate", name)
			if err := removeContainer(ctx, s.cli, sv.id, stopTimeout(sv.spec)); err != nil {
				return fmt.Errorf("remove %s: %w", name, err)
			}
			s.mu.Lock()
			delete(s.services, name)
			s.mu.Unlock()
			if err := s.start(ctx, name, spec, false); err != nil {
				return err
			}
		}
		if !progressed {
			s.env = prev
			return fmt.Errorf("depends_on has a cycle")
		}
	}
	return nil
}

func allDone(deps []string, done map[string]bool) bool {
	for _, d := range deps {
		if !done[d] {
			return false
		}
	}
	return true
}

// stopTimeout is how long a service gets to stop before it is killed.
func stopTimeout(spec *ServiceSpec) time.Duration {
	if spec.Opts.StopGrace > 0 {
		return spec.Opts.StopGrace
	}
	return 10 * time.Second
}
