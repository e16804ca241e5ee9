// faultproxy: the fault-injecting reverse proxy the fault tests put between the operator and
// kube-apiserver. Standard library only; built by hack/fault-proxy into ~/.cache/nodedaemon/bin.
module nodedaemon.dev/hack/faultproxy

go 1.25.0
