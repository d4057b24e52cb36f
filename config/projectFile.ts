import * as fs from "fs";
import * as path from "path";

/**
 * The largest YAML file the program and its tools read from a project (a catalogFile, Pulumi.yaml,
 * a stack file): 2 MiB. The benchmark's 200-service catalog is 146 KB, so this is room for some
 * 2,800 services; the `yaml` package needs about 2 s and 250 MiB to parse 2 MiB, and more grows
 * from there (8 MiB: 20 s, 630 MiB), so a larger file would stall a preview rather than serve it.
 * docs/limits.md.
 */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;

/**
 * The largest manifest file `npm run import` and `npm run compare` read from a plain folder of
 * manifests: 8 MiB. The API server stores an object of at most 1.5 MiB (etcd's request limit), so
 * this holds several of the largest (CustomResourceDefinitions) in one file; an overlay built by
 * kubectl is its output instead, which those tools bound themselves.
 */
export const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;

/** Why a file was not read, as the end of a sentence: never any of its content. */
export class FileRefusal extends Error {}

/** `2 MiB`, `512 KiB`: a limit as a message states it. */
export function showBytes(bytes: number): string {
    return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

/**
 * The text of `file`, a path relative to the project directory `projectDir`: read only when it is
 * a regular file whose real path (every symbolic link followed) is inside the project directory's
 * real path, and at most `limit` bytes. A symbolic link inside the project is followed; one
 * that leads out (to `/etc/passwd`, `/proc/self/environ`, `/dev/zero`) is refused before anything
 * is opened, so its content can never reach a message.
 */
export function readProjectFile(projectDir: string, file: string, limit = MAX_FILE_BYTES): string {
    let root: string;
    let real: string;
    try {
        root = fs.realpathSync(projectDir);
        real = fs.realpathSync(path.resolve(projectDir, file));
    } catch (e) {
        throw new FileRefusal(reasonOf(e));
    }
    const relative = path.relative(root, real);
    if (relative === "" || relative.split(path.sep)[0] === ".." || path.isAbsolute(relative)) {
        throw new FileRefusal("it leads outside the project directory through a symbolic link");
    }
    return readRegularFile(real, limit);
}

/**
 * The text of a regular file of at most `limit` bytes. It is opened without blocking and checked
 * on the open descriptor before any read: a FIFO (which would wait for a writer forever), a
 * device (`/dev/zero` never ends), a socket or a directory is refused, and so is a file that
 * grows past the limit while it is read.
 */
export function readRegularFile(file: string, limit = MAX_FILE_BYTES): string {
    let fd: number;
    try {
        fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    } catch (e) {
        throw new FileRefusal(reasonOf(e));
    }
    try {
        const stat = fs.fstatSync(fd);
        if (!stat.isFile()) throw new FileRefusal(kindOf(stat));
        const tooLarge = () => new FileRefusal(`larger than ${showBytes(limit)}, the limit for a file the program reads; docs/limits.md`);
        if (stat.size > limit) throw tooLarge();
        // One byte more than the limit: a file that grows while it is read is seen to.
        const buffer = Buffer.allocUnsafe(limit + 1);
        let length = 0;
        for (let n = 1; n > 0; length += n) {
            if (length > limit) throw tooLarge();
            n = fs.readSync(fd, buffer, length, buffer.length - length, null);
        }
        return buffer.toString("utf8", 0, length);
    } finally {
        fs.closeSync(fd);
    }
}

function kindOf(stat: fs.Stats): string {
    if (stat.isDirectory()) return "a directory";
    if (stat.isFIFO()) return "a FIFO, not a regular file";
    if (stat.isSocket()) return "a socket, not a regular file";
    if (stat.isCharacterDevice()) return "a character device, not a regular file";
    if (stat.isBlockDevice()) return "a block device, not a regular file";
    return "not a regular file";
}

function reasonOf(e: unknown): string {
    const code = (e as NodeJS.ErrnoException).code;
    switch (code) {
        case "ENOENT":
        case "ENOTDIR":
            return "no such file";
        case "EISDIR":
            return "a directory";
        case "ELOOP":
            return "a loop of symbolic links";
        case "EACCES":
        case "EPERM":
            return "permission denied";
        case "ENXIO":
            return "a socket, not a regular file";
        default:
            return code ?? "unreadable";
    }
}
