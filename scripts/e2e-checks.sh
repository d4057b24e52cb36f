# shellcheck shell=bash
# The assertions of scripts/e2e.sh (sourced by it), with kubectl against the e2e stack's namespace.

readonly NAMESPACE=hft-e2e
readonly HOST=trading.e2e.hft.test
readonly SERVICES=(ingestion kalman-filter garch-model execution risk-manager orchestrator)

k() { kubectl --context "kind-$CLUSTER" --namespace "$NAMESPACE" "$@"; }

check_deployments_available() {
    k wait --for=condition=Available deployment --all --timeout=180s
    local d
    for d in "${SERVICES[@]}"; do
        [[ "$(k get deployment "$d" -o jsonpath='{.status.availableReplicas}')" -ge 1 ]] || die "deployment $d has no available replica"
    done
    log "ok: every Deployment is available"
}

# The namespace enforces Pod Security 'restricted', every pod of the stack was admitted, and a pod
# that does not meet it is refused.
check_pod_security() {
    [[ "$(k get namespace "$NAMESPACE" -o jsonpath='{.metadata.labels.pod-security\.kubernetes\.io/enforce}')" == restricted ]] || die "namespace $NAMESPACE does not enforce Pod Security 'restricted'"
    if k get events --field-selector reason=FailedCreate -o name | grep -q .; then
        k get events --field-selector reason=FailedCreate
        die "a ReplicaSet could not create its pods"
    fi
    local refused
    if refused="$(k run e2e-root --image="$(image_ref good)" --restart=Never --dry-run=server 2>&1)"; then
        die "a pod without the restricted profile's securityContext was admitted"
    fi
    grep -q "violates PodSecurity" <<<"$refused" || die "the pod was refused, but not by Pod Security: $refused"
    log "ok: Pod Security 'restricted' enforced, every pod admitted, a root pod refused"
}

# Runs `app get <url>` in a pod with the given app.kubernetes.io/name label; prints its phase.
call_as() {
    local as="$1" url="$2" pod="e2e-call-$1" phase=""
    k delete pod "$pod" --ignore-not-found >/dev/null
    k apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: $pod
  labels: { app.kubernetes.io/name: $as, app.kubernetes.io/part-of: hft }
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: RuntimeDefault } }
  containers:
    - name: get
      image: $(image_ref good)
      args: [get, "$url"]
      resources: { requests: { cpu: 10m, memory: 16Mi }, limits: { cpu: 100m, memory: 32Mi } }
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } }
EOF
    for _ in $(seq 60); do
        phase="$(k get pod "$pod" -o jsonpath='{.status.phase}')"
        [[ "$phase" == Succeeded || "$phase" == Failed ]] && break
        sleep 1
    done
    k logs "$pod" >>"$ARTIFACTS/network-policy.log" 2>&1 || true
    k delete pod "$pod" --ignore-not-found --wait=false >/dev/null
    echo "$phase"
}

# kalman-filter admits only the orchestrator (its allowFrom): a stranger gets no answer.
check_network_policy() {
    local url=http://kalman-filter/healthz
    [[ "$(call_as orchestrator "$url")" == Succeeded ]] || die "the orchestrator, which kalman-filter allows, got no answer from $url"
    [[ "$(call_as e2e-stranger "$url")" == Failed ]] || die "a pod kalman-filter does not allow got an answer from $url"
    log "ok: NetworkPolicy admits the allowed caller and denies another pod"
}

# The orchestrator's Ingress answers through ingress-nginx, over TLS from the self-signed issuer.
check_ingress() {
    k wait --for=condition=Ready certificate --all --timeout=120s
    local body=""
    for _ in $(seq 30); do
        body="$(curl -sk --max-time 5 --resolve "$HOST:8443:127.0.0.1" "https://$HOST:8443/" || true)"
        [[ "$body" == "hello from orchestrator" ]] && break
        sleep 2
    done
    [[ "$body" == "hello from orchestrator" ]] || die "https://$HOST/ did not answer through the Ingress (last: ${body:-nothing})"
    log "ok: the Ingress answers https://$HOST/"
}

check_release() {
    check_deployments_available
    check_pod_security
    check_ingress
    check_network_policy
}

# The image a Deployment runs.
image_of() {
    k get deployment "$1" -o jsonpath='{.spec.template.spec.containers[0].image}'
}

# "<kind>/<name>=<uid>" of the stack's long-lived objects: the same after an update that must not replace them.
uids() {
    k get deployments,services,networkpolicies,ingresses,serviceaccounts -o jsonpath='{range .items[*]}{.kind}/{.metadata.name}={.metadata.uid}{"\n"}{end}' | sort
}

pods_of_stack() {
    k get pods -l app.kubernetes.io/part-of=hft -o name | grep -v e2e-call- | sort
}
