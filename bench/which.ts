import * as fs from "fs";
import * as path from "path";

/**
 * The absolute path of an executable found on PATH, as a shell would find it, or undefined.
 * Absolute, because the bench runs commands from other working directories.
 */
export function findOnPath(name: string, searchPath: string = process.env.PATH ?? ""): string | undefined {
    for (const dir of searchPath.split(path.delimiter)) {
        if (dir === "") continue;
        const file = path.resolve(dir, name);
        try {
            fs.accessSync(file, fs.constants.X_OK);
            if (fs.statSync(file).isFile()) return file;
        } catch {
            // not here, or not executable
        }
    }
    return undefined;
}
