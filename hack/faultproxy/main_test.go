package main

import (
	"io"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		method, target string
		want           apiRequest
	}{
		{"POST", "/api/v1/namespaces/ns/pods", apiRequest{Verb: "create", Resource: "pods", Namespace: "ns"}},
		{"GET", "/api/v1/namespaces/ns/pods?watch=true&labelSelector=a", apiRequest{Verb: "watch", Resource: "pods", Namespace: "ns"}},
		{"GET", "/api/v1/pods?watch=1", apiRequest{Verb: "watch", Resource: "pods"}},
		{"GET", "/api/v1/nodes", apiRequest{Verb: "list", Resource: "nodes"}},
		{"PATCH", "/apis/nodedaemon.dev/v1alpha1/namespaces/ns/nodedaemons/a/status",
			apiRequest{Verb: "patch", Resource: "nodedaemons", Subresource: "status", Namespace: "ns", Name: "a"}},
		{"DELETE", "/api/v1/namespaces/ns/pods/p", apiRequest{Verb: "delete", Resource: "pods", Namespace: "ns", Name: "p"}},
		{"GET", "/api/v1/namespaces/ns", apiRequest{Verb: "get", Resource: "namespaces", Name: "ns"}},
		{"GET", "/version", apiRequest{Verb: "list"}},
		{"POST", "/api/v1/namespaces/ns/pods?dryRun=All", apiRequest{Verb: "create", Resource: "pods", Namespace: "ns", DryRun: true}},
	}
	for _, c := range cases {
		if got := classify(httptest.NewRequest(c.method, c.target, nil)); got != c.want {
			t.Errorf("%s %s: got %+v, want %+v", c.method, c.target, got, c.want)
		}
	}
}

func TestErrorEveryOtherAndSubresource(t *testing.T) {
	status := "status"
	var s RuleSet
	if err := s.Set([]Rule{{Verb: "update,patch", Resource: "nodedaemons", Subresource: &status, ErrorCode: 409, ErrorEvery: 2}}); err != nil {
		t.Fatal(err)
	}
	statusWrite := apiRequest{Verb: "patch", Resource: "nodedaemons", Subresource: "status"}
	var codes []int
	for i := 0; i < 4; i++ {
		codes = append(codes, s.Decide(statusWrite).ErrorCode)
	}
	if want := []int{0, 409, 0, 409}; !slices.Equal(codes, want) {
		t.Errorf("codes %v, want %v", codes, want)
	}
	if s.Decide(apiRequest{Verb: "patch", Resource: "nodedaemons"}).ErrorCode != 0 {
		t.Error("a write of the object itself matched a status rule")
	}
}

func TestRulesNeedARate(t *testing.T) {
	var s RuleSet
	if err := s.Set([]Rule{{ErrorCode: 500}}); err == nil {
		t.Error("an error code without a rate was accepted")
	}
}

func TestStreamDelayedThenCut(t *testing.T) {
	src := io.NopCloser(strings.NewReader("event-1"))
	cut := false
	s := newFaultyStream(src, 100*time.Millisecond, 0, func() { cut = true })
	start := time.Now()
	b, err := io.ReadAll(s)
	if err != nil || string(b) != "event-1" {
		t.Fatalf("read %q, %v", b, err)
	}
	if time.Since(start) < 100*time.Millisecond {
		t.Errorf("data arrived after %s, before the delay", time.Since(start))
	}
	pr, pw := io.Pipe()
	defer pw.Close()
	s = newFaultyStream(pr, 0, 50*time.Millisecond, func() { cut = true })
	if _, err := io.ReadAll(s); err != errWatchCut || !cut {
		t.Errorf("an idle stream ended with %v (cut recorded: %v), want it cut", err, cut)
	}
	pr2, pw2 := io.Pipe()
	defer pw2.Close()
	s = newFaultyStream(pr2, 0, 0, nil)
	s.Kill()
	if _, err := io.ReadAll(s); err != errWatchCut {
		t.Errorf("a killed stream ended with %v, want it cut", err)
	}
}

func TestAnswerLatencyCountsHeldAndLostAnswers(t *testing.T) {
	var s RuleSet
	if err := s.Set([]Rule{{Verb: "create", Resource: "pods", AnswerLatency: Duration(3 * time.Second)}}); err != nil {
		t.Fatal(err)
	}
	if d := s.Decide(apiRequest{Verb: "watch", Resource: "pods"}); d.AnswerLatency != 0 {
		t.Errorf("a watch's answer is a stream, never held: %v", d.AnswerLatency)
	}
	if d := s.Decide(apiRequest{Verb: "create", Resource: "pods", DryRun: true}); d.AnswerLatency != 0 {
		t.Errorf("a dry run writes nothing, its answer is not held: %v", d.AnswerLatency)
	}
	delivered := s.Decide(apiRequest{Verb: "create", Resource: "pods"})
	lost := s.Decide(apiRequest{Verb: "create", Resource: "pods"})
	if delivered.AnswerLatency != 3*time.Second {
		t.Fatalf("answer latency %v, want 3s", delivered.AnswerLatency)
	}
	delivered.held(true, false)
	lost.held(true, false)
	if st := s.Stats()[0]; st.AnswersHeld != 2 || st.AnswersHolding != 2 {
		t.Errorf("while holding: %+v", st)
	}
	delivered.held(false, true)
	lost.held(false, false)
	if st := s.Stats()[0]; st.AnswersHolding != 0 || st.AnswersLost != 1 {
		t.Errorf("after: %+v", st)
	}
}
