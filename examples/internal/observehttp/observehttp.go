// Package observehttp serves the runtime's live view (runtime/observe) for the examples' -observe
// flag, on its own listener.
package observehttp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/actorgen/actorgen/runtime"
	"github.com/actorgen/actorgen/runtime/observe"
)

// Usage is the -observe flag's help.
const Usage = "serve the live view of the actors on `ADDR` (\":PORT\" means 127.0.0.1:PORT; give 0.0.0.0:PORT to listen on every interface); off if empty"

// Addr returns the address to listen on for the flag's value: ":PORT" and "localhost:PORT" mean
// the loopback interface, since the view shows the whole actor tree to whoever reaches it.
func Addr(flag string) string {
	host, port, err := net.SplitHostPort(flag)
	if err != nil {
		return flag // net.Listen says what is wrong
	}
	if host == "" || host == "localhost" {
		return net.JoinHostPort("127.0.0.1", port)
	}
	return flag
}

// Server is the live view being served.
type Server struct {
	URL string // http://ADDR/
	srv *http.Server
	h   *observe.Handler
	end chan error
}

// Start serves the live view of sys on addr (the -observe flag's value, see Addr).
func Start(addr string, sys *runtime.System, log *slog.Logger) (*Server, error) {
	ln, err := net.Listen("tcp", Addr(addr))
	if err != nil {
		return nil, fmt.Errorf("observe: %w", err)
	}
	if host, _, _ := net.SplitHostPort(ln.Addr().String()); !isLoopback(host) {
		log.Warn("observe: the live view listens beyond the loopback interface: anyone who reaches it sees the actor tree", "addr", ln.Addr().String())
	}
	h := observe.New(sys)
	s := &Server{
		URL: "http://" + ln.Addr().String() + "/",
		h:   h,
		srv: &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)},
		end: make(chan error, 1),
	}
	go func() { s.end <- s.srv.Serve(ln) }()
	return s, nil
}

// Close ends the event streams and stops the server, waiting at most a second for requests.
func (s *Server) Close() error {
	s.h.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = s.srv.Close()
	}
	if serveErr := <-s.end; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
