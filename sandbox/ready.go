package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// readyPoll is how often readiness is checked: readiness is most of Up's
// time, so the interval is short.
const readyPoll = 50 * time.Millisecond

// waitReady waits, under the spec's deadline, until every condition of r
// holds, in order: the log line, the listening port, the command, the
// healthcheck. A container that stops meanwhile fails at once, with the
// end of what it printed.
func (s *Sandbox) waitReady(ctx context.Context, id string, r *Ready) error {
	if r == nil {
		return nil
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = DefaultReadyTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type cond struct {
		what  string
		check func(context.Context) (bool, error)
	}
	var conds []cond
	if r.Log != "" {
		conds = append(conds, cond{fmt.Sprintf("log %q", r.Log), func(ctx context.Context) (bool, error) {
			out, err := containerLogs(ctx, s.cli, id, 16<<20)
			return strings.Contains(out, r.Log), err
		}})
	}
	if r.Port > 0 {
		conds = append(conds, cond{fmt.Sprintf("port %d", r.Port), func(ctx context.Context) (bool, error) {
			return s.listening(ctx, id, r.Port)
		}})
	}
	if len(r.Command) > 0 {
		conds = append(conds, cond{"command " + strings.Join(r.Command, " "), func(ctx context.Context) (bool, error) {
			code, _, err := execOutput(ctx, s.cli, id, r.Command)
			return err == nil && code == 0, nil
		}})
	}
	if r.Healthy {
		conds = append(conds, cond{"healthcheck", func(ctx context.Context) (bool, error) {
			in, err := s.cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
			if err != nil {
				return false, err
			}
			st := in.Container.State
			if st == nil || st.Health == nil {
				return false, errors.New("the container has no healthcheck")
			}
			if st.Health.Status == container.Unhealthy {
				msg := ""
				if n := len(st.Health.Log); n > 0 {
					msg = ": " + s.redact(clip(strings.TrimSpace(st.Health.Log[n-1].Output)))
				}
				return false, fmt.Errorf("the container is unhealthy%s", msg)
			}
			return st.Health.Status == container.Healthy, nil
		}})
	}
	for _, c := range conds {
		if err := s.poll(ctx, id, c.check); err != nil {
			if ctx.Err() == context.DeadlineExceeded {
				return fmt.Errorf("not ready after %s: %s", timeout, c.what)
			}
			return fmt.Errorf("waiting for %s: %w", c.what, err)
		}
	}
	return nil
}

// poll runs check until it holds, the context ends, or the container is
// no longer running.
func (s *Sandbox) poll(ctx context.Context, id string, check func(context.Context) (bool, error)) error {
	for {
		ok, err := check(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		if err := s.running(ctx, id); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(readyPoll):
		}
	}
}

// running says why a container is not running, or nil.
func (s *Sandbox) running(ctx context.Context, id string) error {
	in, err := s.cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return err
	}
	st := in.Container.State
	if st != nil && (st.Running || st.Status == container.StateCreated) {
		return nil
	}
	code := 0
	if st != nil {
		code = st.ExitCode
	}
	out, _ := containerLogs(ctx, s.cli, id, 1<<20)
	return fmt.Errorf("the container stopped (exit %d): %s", code, s.redact(clip(tail(out, 200))))
}

// listening reports whether a container's port accepts connections: from
// the host through its published port when the engine is local, and from
// inside the container (its /proc/net/tcp, else nc, else bash's
// /dev/tcp), since a published port's proxy accepts a connection before
// anything listens behind it. An image without a shell is judged from
// outside only.
func (s *Sandbox) listening(ctx context.Context, id string, port int) (bool, error) {
	in, err := s.cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return false, err
	}
	c := in.Container
	hostNet := c.HostConfig != nil && c.HostConfig.NetworkMode.IsHost()
	if s.local() && !hostNet {
		p, err := network.ParsePort(fmt.Sprintf("%d/tcp", port))
		if err != nil {
			return false, err
		}
		var bound []network.PortBinding
		if c.NetworkSettings != nil {
			bound = c.NetworkSettings.Ports[p]
		}
		if len(bound) == 0 || bound[0].HostPort == "" {
			return false, nil
		}
		d := net.Dialer{Timeout: time.Second}
		conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", bound[0].HostPort))
		if err != nil {
			return false, nil
		}
		conn.Close()
	}
	code, _, err := execOutput(ctx, s.cli, id, []string{"/bin/sh", "-c", fmt.Sprintf(
		"cat /proc/net/tcp* | awk '{print $2}' | grep -i :%04x || nc -z -w 1 localhost %d || /bin/sh -c '</dev/tcp/localhost/%d'",
		port, port, port)})
	switch {
	case err != nil && strings.Contains(err.Error(), "executable file not found"):
		return s.local() && !hostNet, nil // no shell: the outside check is all there is
	case err != nil:
		return false, err
	case code == 126 || code == 127:
		return s.local() && !hostNet, nil
	}
	return code == 0, nil
}

// local reports whether the engine runs on this host, so that a port
// published on 127.0.0.1 is reachable here.
func (s *Sandbox) local() bool {
	h := s.cli.DaemonHost()
	return strings.HasPrefix(h, "unix://") || strings.HasPrefix(h, "npipe://")
}
