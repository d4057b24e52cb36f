import * as pulumi from "@pulumi/pulumi";
import { PromotionConfig } from "../../config/types";
import { qualifiedStack } from "../lastUpdate";
import { Releases, releasesOf } from "./releases";
import { stackResource } from "../../config/names/derive";

/** An image the source stack never ran: printed without a stack trace, like a configuration error. */
export class PromotionError extends pulumi.RunError {
    constructor(message: string) {
        super(message);
        this.name = "PromotionError";
    }
}

/**
 * The promotion gate: a service runs only an image the source stack (staging) ran for the same
 * service, as its `releases` output records, unless `promotion.exceptions` says why. An image a
 * rollback pins is what this stack itself ran before, and passes.
 */
export class PromotionGate {
    private readonly source: string;
    private readonly releases: pulumi.Output<Releases>;

    constructor(
        private readonly promotion: PromotionConfig & { readonly from: string },
        private readonly stack: string,
    ) {
        this.source = qualifiedStack(promotion.from);
        const reference = new pulumi.StackReference(stackResource.promotionSource, { name: this.source });
        this.releases = reference.getOutput("releases").apply(releasesOf);
    }

    /** The image, once the gate lets it through; fails the update (and the preview) otherwise. */
    admit(service: string, image: pulumi.Output<string>, rollback: boolean): pulumi.Output<string> {
        if (rollback) return image;
        return pulumi.all([image, this.releases]).apply(([ref, releases]) => {
            const ran = releases[service] ?? [];
            const reason = this.promotion.exceptions[service];
            if (ran.some((r) => r.image === ref)) {
                if (reason !== undefined) {
                    void pulumi.log.warn(`${service}: promotion.exceptions.${service} is not needed (${this.promotion.from} ran ${ref}); remove it`);
                }
                return ref;
            }
            if (reason !== undefined) {
                void pulumi.log.warn(`${service}: runs ${ref}, which ${this.promotion.from} never ran, let through by promotion.exceptions.${service}: ${reason}`);
                return ref;
            }
            const there = ran.length > 0 ? `${this.promotion.from} runs ${ran[0].image}${ran[0].tag ? ` (tag ${ran[0].tag})` : ""}` : `${this.promotion.from} has no release of ${service} on record`;
            throw new PromotionError(
                `${service}: ${this.stack} would run ${ref}, which ${this.promotion.from} (${this.source}) never ran; ${there}. ` +
                    `Promote what ${this.promotion.from} ran ('npm run promote -- --from ${this.promotion.from} --to ${this.stack}'), ` +
                    `or say why under environment.promotion.exceptions.${service}`,
            );
        });
    }
}
