// faultproxy is a fault-injecting reverse proxy for kube-apiserver, for tests on loopback.
//
// It terminates TLS with a self-signed certificate of its own and forwards every request to the
// API server, authenticating there with the client certificate it is given (the cluster admin's),
// so the process behind it (the operator) needs only the kubeconfig it writes (--kubeconfig-out).
// Watches stream through. Faults are chosen per verb and resource by rules (see Rule), set at start
// from a file and replaced at any time through a plain-HTTP control endpoint on loopback:
//
//	PUT  /rules                 {"rules": [Rule, ...]}: replaces the rules, resets their counters,
//	                            and cuts the open watches an old rule delays or cuts or a new one
//	                            would delay, cut or answer with an error, so that they open again
//	                            under the new rules (a client's watch may otherwise last minutes)
//	GET  /rules                 the rules and what each did (matched, errors, watches delayed/cut)
//	POST /blackout?for=20s      refuses every connection for that long: the listener is closed
//	                            (connection refused) and open connections, watches too, are cut
//
// While the API server refuses connections (restarting), the proxy refuses them too.
//
//	GET  /stats                 requests forwarded, refused, blackouts, and the rules' counters
//
// On start it prints one JSON line on stdout: {"proxy": "127.0.0.1:P", "control": "127.0.0.1:C"}.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	upstream := flag.String("upstream", "", "the API server, https://127.0.0.1:PORT")
	upstreamCA := flag.String("upstream-ca", "", "CA file that signed the API server's certificate")
	clientCert := flag.String("client-cert", "", "client certificate file for the API server")
	clientKey := flag.String("client-key", "", "its key file")
	listen := flag.String("listen", "127.0.0.1:0", "address to serve the proxied API on (TLS)")
	control := flag.String("control", "127.0.0.1:0", "address of the control endpoint (plain HTTP)")
	kubeconfigOut := flag.String("kubeconfig-out", "", "write a kubeconfig that points at the proxy here")
	rulesFile := flag.String("rules", "", "initial rules, a JSON file {\"rules\": [...]}")
	flag.Parse()
	if *upstream == "" || *upstreamCA == "" || *clientCert == "" || *clientKey == "" {
		log.Fatal("--upstream, --upstream-ca, --client-cert and --client-key are required")
	}
	if err := run(*upstream, *upstreamCA, *clientCert, *clientKey, *listen, *control, *kubeconfigOut, *rulesFile); err != nil {
		log.Fatal(err)
	}
}

func run(upstream, upstreamCA, clientCert, clientKey, listen, control, kubeconfigOut, rulesFile string) error {
	target, err := url.Parse(upstream)
	if err != nil {
		return err
	}
	transport, err := upstreamTransport(upstreamCA, clientCert, clientKey)
	if err != nil {
		return err
	}
	serving, caPEM, err := selfSignedCert()
	if err != nil {
		return err
	}
	p := &proxy{rules: &RuleSet{}}
	p.upstreamIsUp.Store(true)
	if rulesFile != "" {
		if err := p.loadRules(rulesFile); err != nil {
			return err
		}
	}
	p.reverse = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Header.Del("Authorization")
		},
		Transport:     transport,
		FlushInterval: -1,
		ModifyResponse: func(resp *http.Response) error {
			// Every watch goes through a faultyStream, so new rules can cut it (see setRules).
			if req, ok := resp.Request.Context().Value(requestKey{}).(apiRequest); ok && req.Verb == "watch" {
				d, _ := resp.Request.Context().Value(decisionKey{}).(Decision)
				stream := newFaultyStream(resp.Body, d.WatchDelay, d.WatchCutAfter, d.onCut)
				p.watchOpened(req, stream)
				hook := &closeHook{ReadCloser: stream, onClose: func() { p.watchClosed(stream) }}
				if upgraded, ok := resp.Body.(io.ReadWriteCloser); ok {
					// A WebSocket watch (101 Switching Protocols, fabric8's first choice): the
					// proxy copies both ways; the client's frames go to the API server as they are.
					resp.Body = &upgradedStream{closeHook: hook, to: upgraded}
				} else {
					resp.Body = hook
				}
			}
			return nil
		},
		// The API server unreachable (restarting, say): drop the client's connection instead of
		// inventing a 502 it never sends, and refuse connections until it listens again, as its
		// own absence would (a client that had its request accepted and then dropped is not in
		// the state a restart leaves it in).
		ErrorHandler: func(_ http.ResponseWriter, _ *http.Request, err error) {
			var op *net.OpError
			if errors.As(err, &op) && op.Op == "dial" {
				p.upstreamDown(target.Host)
			}
			panic(http.ErrAbortHandler)
		},
		ErrorLog: log.New(os.Stderr, "faultproxy: ", log.LstdFlags),
	}
	p.server = &http.Server{
		Handler:   p,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{serving}},
		// HTTP/1.1 only: one watch per connection, so cutting a watch is closing its connection.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
		ConnState:    p.trackConn,
		ErrorLog:     log.New(os.Stderr, "faultproxy: ", log.LstdFlags),
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	p.addr = ln.Addr().String()
	controlLn, err := net.Listen("tcp", control)
	if err != nil {
		return err
	}
	if kubeconfigOut != "" {
		if err := writeKubeconfig(kubeconfigOut, p.addr, caPEM); err != nil {
			return err
		}
	}
	go func() {
		log.Fatal(http.Serve(controlLn, p.controlHandler()))
	}()
	line, _ := json.Marshal(map[string]string{"proxy": p.addr, "control": controlLn.Addr().String()})
	fmt.Println(string(line))
	return p.serve(ln)
}

type decisionKey struct{}

type requestKey struct{}

// closeHook calls onClose once the proxy is done with a response body.
type closeHook struct {
	io.ReadCloser
	onClose func()
}

func (c *closeHook) Close() error {
	c.onClose()
	return c.ReadCloser.Close()
}

// upgradedStream is a WebSocket watch: reads (the API server's frames) come through the faulty
// stream, writes go straight to the API server.
type upgradedStream struct {
	*closeHook
	to io.ReadWriteCloser
}

func (u *upgradedStream) Write(b []byte) (int, error) { return u.to.Write(b) }

// Read turns the API server closing the connection into an error: the reverse proxy then closes
// the client's connection too. On a clean end it would wait for the client to close its side,
// and the client, seeing nothing, would watch a dead connection for ever.
func (u *upgradedStream) Read(b []byte) (int, error) {
	n, err := u.closeHook.Read(b)
	if errors.Is(err, io.EOF) {
		err = errUpstreamClosed
	}
	return n, err
}

var errUpstreamClosed = errors.New("faultproxy: the API server closed the connection")

type proxy struct {
	rules   *RuleSet
	reverse *httputil.ReverseProxy
	server  *http.Server
	addr    string

	mu            sync.Mutex
	conns         map[net.Conn]struct{}
	watches       map[*faultyStream]apiRequest
	listener      net.Listener
	blackoutUntil time.Time

	requests      atomic.Int64
	refused       atomic.Int64
	blackouts     atomic.Int64
	upstreamDowns atomic.Int64
	upstreamIsUp  atomic.Bool
}

// serve serves on ln until a blackout closes it, then again on the same address once the
// blackout is over, for ever.
func (p *proxy) serve(ln net.Listener) error {
	for {
		p.mu.Lock()
		p.listener = ln
		p.mu.Unlock()
		err := p.server.ServeTLS(ln, "", "")
		p.mu.Lock()
		until := p.blackoutUntil
		p.mu.Unlock()
		if time.Now().After(until) {
			return err // closed by something other than a blackout
		}
		for p.inBlackout() {
			time.Sleep(50 * time.Millisecond)
		}
		for {
			if ln, err = net.Listen("tcp", p.addr); err == nil {
				break
			}
			time.Sleep(50 * time.Millisecond) // the port is still held by a closing socket
		}
		log.Printf("faultproxy: blackout over, listening on %s again", p.addr)
	}
}

func (p *proxy) trackConn(c net.Conn, state http.ConnState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns == nil {
		p.conns = map[net.Conn]struct{}{}
	}
	switch state {
	case http.StateNew:
		p.conns[c] = struct{}{}
	case http.StateClosed:
		delete(p.conns, c)
	}
	// A hijacked connection (a WebSocket watch) stays listed, for a blackout to close: the
	// server reports no state for it any more, so it is forgotten only at the next blackout.
}

// blackout refuses everything for d: no listener (connection refused) and every open connection,
// watches included, closed.
func (p *proxy) blackout(d time.Duration) {
	p.blackouts.Add(1)
	p.closeAll(d)
	log.Printf("faultproxy: blackout for %s", d)
}

// closeAll closes the listener and every open connection, and keeps them closed for d (or until
// blackoutUntil is moved).
func (p *proxy) closeAll(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.blackoutUntil = time.Now().Add(d)
	if p.listener != nil {
		_ = p.listener.Close()
	}
	for c := range p.conns {
		_ = c.Close()
		delete(p.conns, c)
	}
}

// upstreamDown refuses connections while the API server does not accept them: it probes the
// API server's port every 100 ms and ends the refusal once a connection succeeds.
func (p *proxy) upstreamDown(hostport string) {
	if !p.upstreamIsUp.CompareAndSwap(true, false) {
		return // already down
	}
	p.upstreamDowns.Add(1)
	p.closeAll(24 * time.Hour)
	log.Printf("faultproxy: the API server refuses connections; so does the proxy until it is back")
	go func() {
		for {
			time.Sleep(100 * time.Millisecond)
			if c, err := net.DialTimeout("tcp", hostport, time.Second); err == nil {
				_ = c.Close()
				break
			}
		}
		p.mu.Lock()
		p.blackoutUntil = time.Now()
		p.mu.Unlock()
		p.upstreamIsUp.Store(true)
		log.Printf("faultproxy: the API server accepts connections again")
	}()
}

func (p *proxy) inBlackout() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return time.Now().Before(p.blackoutUntil)
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p.inBlackout() {
		p.refused.Add(1)
		panic(http.ErrAbortHandler)
	}
	req := classify(r)
	d := p.rules.Decide(req)
	if d.Latency > 0 {
		select {
		case <-time.After(d.Latency):
		case <-r.Context().Done():
			return
		}
	}
	if d.ErrorCode != 0 {
		writeStatus(w, d.ErrorCode, req)
		return
	}
	p.requests.Add(1)
	ctx := context.WithValue(context.WithValue(r.Context(), decisionKey{}, d), requestKey{}, req)
	if d.AnswerLatency > 0 {
		p.holdAnswer(w, r.WithContext(ctx), d)
		return
	}
	p.reverse.ServeHTTP(w, r.WithContext(ctx))
}

// holdAnswer forwards r, keeps the API server's whole answer, and gives it to the client only
// after d.AnswerLatency; a client that goes away meanwhile never gets it (an answer lost).
func (p *proxy) holdAnswer(w http.ResponseWriter, r *http.Request, d Decision) {
	// The upstream request must not be cancelled with the client: it is done at once anyway.
	upstream := r.WithContext(context.WithoutCancel(r.Context()))
	answer := httptest.NewRecorder()
	p.reverse.ServeHTTP(answer, upstream)
	d.held(true, false)
	select {
	case <-time.After(d.AnswerLatency):
	case <-r.Context().Done():
		d.held(false, false)
		log.Printf("faultproxy: %s %s answered %d by the API server; the client left before the held answer",
			r.Method, r.URL.Path, answer.Code)
		return
	}
	for k, v := range answer.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(answer.Code)
	_, _ = w.Write(answer.Body.Bytes())
	d.held(false, true)
}

// writeStatus answers as the API server does: a metav1.Status with the code's usual reason.
func writeStatus(w http.ResponseWriter, code int, req apiRequest) {
	reason, message := "InternalError", "faultproxy: injected internal error"
	switch code {
	case http.StatusConflict:
		reason = "Conflict"
		message = fmt.Sprintf("Operation cannot be fulfilled on %s %q: the object has been modified;"+
			" please apply your changes to the latest version and try again (faultproxy)", req.Resource, req.Name)
	case http.StatusServiceUnavailable:
		reason, message = "ServiceUnavailable", "faultproxy: injected unavailability"
	case http.StatusTooManyRequests:
		reason, message = "TooManyRequests", "faultproxy: injected throttling"
		w.Header().Set("Retry-After", "1")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"kind": "Status", "apiVersion": "v1", "metadata": map[string]any{},
		"status": "Failure", "message": message, "reason": reason, "code": code,
	})
}

func (p *proxy) loadRules(file string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	return p.setRules(b)
}

func (p *proxy) setRules(b []byte) error {
	var body struct {
		Rules []Rule `json:"rules"`
	}
	if err := json.Unmarshal(b, &body); err != nil {
		return err
	}
	if err := p.rules.Set(body.Rules); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for stream, req := range p.watches {
		// A watch still delayed or cut under the old rules would carry them past their removal.
		if stream.delay > 0 || stream.cut != nil {
			stream.Kill()
			continue
		}
		for _, r := range body.Rules {
			// An error rule too: a watch open before the API server started refusing would
			// otherwise stream on for minutes as if nothing had changed.
			if r.matches(req) && (r.WatchDelay > 0 || r.WatchCutAfter > 0 || r.ErrorCode != 0) {
				stream.Kill()
				break
			}
		}
	}
	return nil
}

func (p *proxy) watchOpened(req apiRequest, s *faultyStream) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.watches == nil {
		p.watches = map[*faultyStream]apiRequest{}
	}
	p.watches[s] = req
}

func (p *proxy) watchClosed(s *faultyStream) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.watches, s)
}

func (p *proxy) controlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /rules", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err == nil {
			err = p.setRules(b)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeJSON(w, map[string]any{"rules": p.rules.Stats()})
	})
	mux.HandleFunc("GET /rules", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"rules": p.rules.Stats()})
	})
	mux.HandleFunc("POST /blackout", func(w http.ResponseWriter, r *http.Request) {
		d, err := time.ParseDuration(r.URL.Query().Get("for"))
		if err != nil || d <= 0 {
			http.Error(w, "blackout needs ?for=DURATION, such as 20s", http.StatusBadRequest)
			return
		}
		p.blackout(d)
		writeJSON(w, map[string]any{"blackoutFor": d.String()})
	})
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{
			"forwarded":     p.requests.Load(),
			"refused":       p.refused.Load(),
			"blackouts":     p.blackouts.Load(),
			"upstreamDowns": p.upstreamDowns.Load(),
			"inBlackout":    p.inBlackout(),
			"rules":         p.rules.Stats(),
		})
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func upstreamTransport(caFile, certFile, keyFile string) (*http.Transport, error) {
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("no certificate in %s", caFile)
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	return &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}},
		ForceAttemptHTTP2:   true,
		MaxIdleConnsPerHost: 100,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		TLSHandshakeTimeout: 5 * time.Second,
	}, nil
}

// selfSignedCert makes the proxy's serving certificate for 127.0.0.1 and localhost; it is its own
// CA, so the kubeconfig the proxy writes trusts exactly it.
func selfSignedCert() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	template := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "nodedaemon-faultproxy"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	return cert, certPEM, err
}

// writeKubeconfig writes a kubeconfig for the proxy: its CA, and no credentials, since the proxy
// authenticates upstream itself.
func writeKubeconfig(file, addr string, caPEM []byte) error {
	text := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: faultproxy
  cluster:
    server: https://%s
    certificate-authority-data: %s
users:
- name: faultproxy
  user:
    token: faultproxy # not checked: the proxy authenticates upstream with its own certificate
contexts:
- name: faultproxy
  context:
    cluster: faultproxy
    user: faultproxy
    namespace: default
current-context: faultproxy
`, addr, base64.StdEncoding.EncodeToString(caPEM))
	return os.WriteFile(file, []byte(text), 0o600)
}
