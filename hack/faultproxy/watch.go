package main

import (
	"errors"
	"io"
	"sync"
	"time"
)

var errWatchCut = errors.New("faultproxy: watch cut")

type chunk struct {
	at   time.Time
	data []byte
	err  error
}

// faultyStream wraps a watch response body: each chunk is passed on `delay` after it arrived from
// the API server, and the stream fails with errWatchCut `cutAfter` after it opened (0: never). The
// reverse proxy aborts the client's connection on that error, as a broken network would.
type faultyStream struct {
	src   io.ReadCloser
	delay time.Duration
	cut   <-chan time.Time
	// kill cuts the stream at once when closed (new rules for its kind of watch).
	kill     chan struct{}
	killOnce sync.Once
	onCut    func()
	chunks   chan chunk
	pending  []byte
	finalErr error
}

func newFaultyStream(src io.ReadCloser, delay, cutAfter time.Duration, onCut func()) *faultyStream {
	s := &faultyStream{
		src: src, delay: delay, onCut: onCut, chunks: make(chan chunk, 4096), kill: make(chan struct{}),
	}
	if cutAfter > 0 {
		s.cut = time.After(cutAfter)
	}
	go s.pump()
	return s
}

// pump reads the API server's stream as fast as it comes, stamping each chunk with its arrival.
func (s *faultyStream) pump() {
	defer close(s.chunks)
	for {
		buf := make([]byte, 32*1024)
		n, err := s.src.Read(buf)
		if n > 0 {
			s.chunks <- chunk{at: time.Now(), data: buf[:n]}
		}
		if err != nil {
			s.chunks <- chunk{at: time.Now(), err: err}
			return
		}
	}
}

func (s *faultyStream) Read(p []byte) (int, error) {
	if len(s.pending) > 0 {
		n := copy(p, s.pending)
		s.pending = s.pending[n:]
		return n, nil
	}
	if s.finalErr != nil {
		return 0, s.finalErr
	}
	var next chunk
	select {
	case <-s.cut:
		return 0, s.cutNow()
	case <-s.kill:
		return 0, s.killed()
	case c, ok := <-s.chunks:
		if !ok {
			return 0, io.EOF
		}
		next = c
	}
	if wait := time.Until(next.at.Add(s.delay)); wait > 0 {
		timer := time.NewTimer(wait)
		defer timer.Stop()
		select {
		case <-s.cut:
			return 0, s.cutNow()
		case <-s.kill:
			return 0, s.killed()
		case <-timer.C:
		}
	}
	if next.err != nil {
		s.finalErr = next.err
		return 0, next.err
	}
	n := copy(p, next.data)
	s.pending = next.data[n:]
	return n, nil
}

func (s *faultyStream) cutNow() error {
	s.finalErr = errWatchCut
	if s.onCut != nil {
		s.onCut()
	}
	return errWatchCut
}

// Kill cuts the stream at its next read, or at once if it is waiting.
func (s *faultyStream) Kill() {
	s.killOnce.Do(func() { close(s.kill) })
}

func (s *faultyStream) killed() error {
	s.finalErr = errWatchCut
	return errWatchCut
}

func (s *faultyStream) Close() error {
	err := s.src.Close()
	// Let the pump end: it may be blocked handing over a chunk nobody will read.
	go func() {
		for range s.chunks {
		}
	}()
	return err
}
