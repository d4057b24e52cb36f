/**
 * The parts of Kubernetes objects the import reads, as far as it reads them (every field
 * optional: a build's output is input, not a promise).
 */

export interface ProbeShape {
    readonly httpGet?: { readonly path?: string; readonly port?: number | string; readonly scheme?: string };
    readonly tcpSocket?: { readonly port?: number | string };
    readonly grpc?: { readonly port?: number; readonly service?: string };
    readonly exec?: { readonly command?: string[] };
    readonly successThreshold?: number;
}

export interface EnvVarShape {
    readonly name: string;
    readonly value?: string;
    readonly valueFrom?: {
        readonly configMapKeyRef?: { readonly name: string; readonly key: string };
        readonly secretKeyRef?: { readonly name: string; readonly key: string };
    };
}

export interface EnvFromShape {
    readonly prefix?: string;
    readonly configMapRef?: { readonly name?: string };
    readonly secretRef?: { readonly name?: string };
}

export interface VolumeShape {
    readonly name: string;
    readonly emptyDir?: { readonly sizeLimit?: string; readonly medium?: string };
    readonly configMap?: { readonly name?: string; readonly items?: unknown; readonly defaultMode?: number };
    readonly secret?: { readonly secretName?: string; readonly items?: unknown; readonly defaultMode?: number };
    readonly persistentVolumeClaim?: { readonly claimName?: string };
}

export interface VolumeMountShape {
    readonly name: string;
    readonly mountPath: string;
    readonly readOnly?: boolean;
}

export interface ClaimTemplateShape {
    readonly metadata: { readonly name: string };
}

export interface IngressPathShape {
    readonly path?: string;
    readonly pathType?: string;
    readonly backend?: { readonly service?: { readonly name?: string } };
}

export interface IngressRuleShape {
    readonly host?: string;
    readonly http?: { readonly paths?: IngressPathShape[] };
}

export interface MetricTarget {
    readonly type?: string;
    readonly averageUtilization?: number;
    readonly averageValue?: string | number;
}

export interface MetricShape {
    readonly type?: string;
    readonly resource?: { readonly name?: string; readonly target?: MetricTarget };
    readonly pods?: { readonly metric?: { readonly name?: string }; readonly target?: MetricTarget };
}

export interface ScalingRulesShape {
    readonly policies?: { readonly type: string; readonly value: number; readonly periodSeconds: number }[];
}

export interface PolicyRuleShape {
    readonly apiGroups?: string[];
    readonly resources?: string[];
    readonly verbs?: string[];
    readonly resourceNames?: string[];
    readonly nonResourceURLs?: string[];
}
