import * as k8s from "@pulumi/kubernetes";
import { EnvironmentConfig } from "../../config/types";

type Peer = k8s.types.input.networking.v1.NetworkPolicyPeer;

/**
 * Who carries public traffic into the namespace, as the stack exposes services: the ingress
 * controller's namespace, the Gateway's proxy pods (their namespace, narrowed to their labels
 * when the stack names them), or both while a stack moves from one to the other. The network
 * policies admit exactly these to exposed services (and to cert-manager's HTTP-01 solver).
 */
export function exposurePeers(env: Pick<EnvironmentConfig, "exposure" | "ingress" | "gateway">): Peer[] {
    const namespace = (name: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } });
    const peers: Peer[] = [];
    if (env.exposure !== "gateway") peers.push(namespace(env.ingress.controllerNamespace));
    if (env.exposure !== "ingress" && env.gateway) {
        const { namespace: ns, podLabels } = env.gateway.dataPlane;
        peers.push({ ...namespace(ns), ...(Object.keys(podLabels).length > 0 ? { podSelector: { matchLabels: { ...podLabels } } } : {}) });
    }
    return peers;
}
