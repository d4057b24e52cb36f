# shellcheck shell=bash
# The cluster side of scripts/e2e.sh (sourced by it): a kind cluster pulling from a registry at
# localhost:5001 (docs/local.md's recipe), ingress-nginx, cert-manager with a self-signed
# ClusterIssuer, and the test image. Every version is pinned here; docs/e2e.md says why each.

# kind v0.24.0 is the first release whose default network plugin (kindnetd) enforces NetworkPolicies.
readonly KIND_MINIMUM=0.24.0
readonly REGISTRY_NAME=kind-registry
readonly REGISTRY=localhost:5001
# docker.io/library/registry 2.8.3, by tag as docs/local.md runs it (a local helper, not under test).
readonly REGISTRY_IMAGE=registry:2.8.3
# ingress-nginx's manifest for kind, by the commit its tag controller-v1.15.1 names, checked by
# its sha256 (read from that commit); its images are pinned by digest inside it. ingress-nginx is
# what the stack's exposure 'ingress' targets (environment.ingress.controller, the default).
readonly INGRESS_NGINX_COMMIT=0a5901f3c64f11e92e487799b8da3f00cca37515
readonly INGRESS_NGINX_SHA256=2a3ae008c8786431115502644e77ab398fdebfb721a5d1195ed3089cde3299df
# cert-manager's release manifest (its images by tag, from quay.io/jetstack).
readonly CERT_MANAGER_VERSION=v1.21.1
readonly APP_IMAGE="$REGISTRY/hft-e2e-app"

# Whether version $1 (x.y.z) is at least $2.
version_at_least() {
    [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" == "$2" ]]
}

require_kind() {
    local version
    version="$(kind version | sed -E 's/^kind v([0-9]+\.[0-9]+\.[0-9]+).*/\1/')"
    version_at_least "$version" "$KIND_MINIMUM" || die "kind $version is older than v$KIND_MINIMUM, which does not enforce NetworkPolicies"
}

start_registry() {
    if [[ "$(docker inspect -f '{{.State.Running}}' "$REGISTRY_NAME" 2>/dev/null || true)" == true ]]; then
        log "registry $REGISTRY_NAME already running"
        return
    fi
    docker run -d --restart=always -p 127.0.0.1:5001:5000 --network bridge --name "$REGISTRY_NAME" "$REGISTRY_IMAGE" >/dev/null
}

create_cluster() {
    if kind get clusters | grep -qx "$CLUSTER"; then
        log "kind cluster $CLUSTER already exists"
    else
        # Ports 80 and 443 of the node (ingress-nginx's hostPorts) on 127.0.0.1:8080 and :8443.
        kind create cluster --name "$CLUSTER" --wait 120s --config=- <<'EOF'
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
containerdConfigPatches:
- |-
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "/etc/containerd/certs.d"
nodes:
- role: control-plane
  extraPortMappings:
  - { containerPort: 80, hostPort: 8080, listenAddress: 127.0.0.1 }
  - { containerPort: 443, hostPort: 8443, listenAddress: 127.0.0.1 }
EOF
    fi
    local node
    for node in $(kind get nodes --name "$CLUSTER"); do
        docker exec "$node" mkdir -p "/etc/containerd/certs.d/$REGISTRY"
        printf '[host."http://%s:5000"]\n' "$REGISTRY_NAME" | docker exec -i "$node" cp /dev/stdin "/etc/containerd/certs.d/$REGISTRY/hosts.toml"
    done
    docker network connect kind "$REGISTRY_NAME" 2>/dev/null || true
}

install_ingress_nginx() {
    local manifest="$WORK/ingress-nginx.yaml"
    curl -fsSL --retry 3 -o "$manifest" "https://raw.githubusercontent.com/kubernetes/ingress-nginx/$INGRESS_NGINX_COMMIT/deploy/static/provider/kind/deploy.yaml"
    echo "$INGRESS_NGINX_SHA256  $manifest" | sha256sum -c - >/dev/null || die "ingress-nginx's manifest does not have the sha256 it had at $INGRESS_NGINX_COMMIT"
    kubectl apply -f "$manifest"
    kubectl wait --namespace ingress-nginx --for=condition=Available deployment/ingress-nginx-controller --timeout=300s
}

install_cert_manager() {
    kubectl apply -f "https://github.com/cert-manager/cert-manager/releases/download/$CERT_MANAGER_VERSION/cert-manager.yaml"
    kubectl wait --namespace cert-manager --for=condition=Available deployment --all --timeout=300s
    # ACME cannot reach a kind cluster: the Ingresses' certificates are signed by themselves.
    # The webhook may take a few seconds more to answer than its Deployment to be available.
    retry 12 5 kubectl apply -f - <<'EOF'
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: e2e-selfsigned
spec:
  selfSigned: {}
EOF
}

# The test image, and the same program built never to become ready (the broken release).
build_images() {
    local dir="$ROOT/e2e/app" variant flags
    for variant in good broken; do
        flags="-s -w"
        [[ "$variant" == broken ]] && flags="$flags -X main.ready=false"
        (cd "$dir" && CGO_ENABLED=0 GOOS=linux GOARCH="$(go env GOARCH)" go build -trimpath -ldflags "$flags" -o "$WORK/build-$variant/app" .)
        cp "$dir/Dockerfile" "$WORK/build-$variant/Dockerfile"
        docker build --quiet -t "$APP_IMAGE:$variant" "$WORK/build-$variant" >/dev/null
        docker push --quiet "$APP_IMAGE:$variant" >/dev/null
        log "$variant image: $(image_ref "$variant")"
    done
}

# repository@sha256:... of a pushed variant (good or broken).
image_ref() {
    docker inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$APP_IMAGE:$1" | grep -m1 "^$APP_IMAGE@sha256:" || die "no digest for $APP_IMAGE:$1; run the images step"
}

phase_cluster() {
    require_kind
    start_registry
    create_cluster
    kubectl config use-context "kind-$CLUSTER" >/dev/null
    install_ingress_nginx
    install_cert_manager
}

phase_images() {
    build_images
}

delete_cluster() {
    kind delete cluster --name "$CLUSTER"
}
