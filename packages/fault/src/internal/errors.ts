// One `InvalidOptions` class for every Lifeline package, so a caller catches bad options the same way everywhere.
import { InvalidOptions as Module } from "@lifeline/deadline"

export const InvalidOptions: typeof Module.InvalidOptions = Module.InvalidOptions
export type InvalidOptions = Module.InvalidOptions
