/**
 * Whether a plain setting carries a credential, and which kind (never the value itself): a
 * password in a URL's user info (`mongodb://app:pw@host/db`), or a credential parameter with a
 * value (`...?password=...`, `api_key=...`). Such a value would be written into a ConfigMap.
 */
export function credentialIn(value: string): string | undefined {
    if (/^[a-z][a-z0-9+.-]*:\/\/[^/\s@:?#]*:[^/\s@?#]+@/i.test(value)) return "a password in the URL";
    const param = /(?:^|[?&;\s])(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|client[_-]?secret)=([^&;\s]+)/i.exec(value);
    return param ? `${param[1]}= in the value` : undefined;
}
