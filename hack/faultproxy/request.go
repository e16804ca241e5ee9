package main

import (
	"net/http"
	"strings"
)

// apiRequest is what a rule matches on: the Kubernetes verb and the resource a request is for,
// read from its method, path and query the way kube-apiserver's RequestInfoFactory reads them.
type apiRequest struct {
	Verb        string // get, list, watch, create, update, patch, delete, deletecollection
	Resource    string // "pods", "nodedaemons", ...; "" for a non-resource path such as /version
	Subresource string // "status", "eviction", ...; "" for the resource itself
	Namespace   string
	Name        string
	DryRun      bool // ?dryRun=All: the API server checks the request and changes nothing
}

// classify reads an API request. Paths look like
//
//	/api/v1/[namespaces/NS/]RESOURCE[/NAME[/SUBRESOURCE]]
//	/apis/GROUP/VERSION/[namespaces/NS/]RESOURCE[/NAME[/SUBRESOURCE]]
//
// and anything else (/version, /openapi/v3, /readyz) is a non-resource request.
func classify(r *http.Request) apiRequest {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	var rest []string
	switch {
	case len(parts) >= 2 && parts[0] == "api":
		rest = parts[2:]
	case len(parts) >= 3 && parts[0] == "apis":
		rest = parts[3:]
	}
	var req apiRequest
	if len(rest) >= 3 && rest[0] == "namespaces" {
		req.Namespace = rest[1]
		rest = rest[2:]
	} else if len(rest) == 2 && rest[0] == "namespaces" {
		// /api/v1/namespaces/NAME is the namespace object itself.
		req.Resource, req.Name = "namespaces", rest[1]
		rest = nil
	}
	if len(rest) >= 1 {
		req.Resource = rest[0]
	}
	if len(rest) >= 2 {
		req.Name = rest[1]
	}
	if len(rest) >= 3 {
		req.Subresource = rest[2]
	}
	req.Verb = verb(r, req.Name != "")
	req.DryRun = r.URL.Query().Get("dryRun") != ""
	return req
}

func verb(r *http.Request, named bool) string {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		if w := r.URL.Query().Get("watch"); w == "true" || w == "1" {
			return "watch"
		}
		if named {
			return "get"
		}
		return "list"
	case http.MethodPost:
		return "create"
	case http.MethodPut:
		return "update"
	case http.MethodPatch:
		return "patch"
	case http.MethodDelete:
		if named {
			return "delete"
		}
		return "deletecollection"
	}
	return strings.ToLower(r.Method)
}
