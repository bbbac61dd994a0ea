/** True when `version` ("24.11.1" or "v24.11.1") is one the workshop runs on. */
export declare function supported(version: string): boolean;
/** The message for a Node the workshop cannot run on, or undefined for one it can. */
export declare function problem(version: string): string | undefined;
/** Prints the message and ends the process when this Node is one the workshop cannot run on. */
export declare function requireSupportedNode(): void;
