// The handler registry: generated dispatch rows name handlers; this maps names to functions.
import { fsHandlers } from "./fs.ts";
import { futexHandlers } from "./futex.ts";
import { ioHandlers } from "./io.ts";
import { layerHandlers } from "./layer.ts";
import { linuxFsHandlers } from "./linux-fs.ts";
import { linuxProcHandlers } from "./linux-proc.ts";
import { memHandlers } from "./mem.ts";
import { procHandlers } from "./proc.ts";
import { signalHandlers } from "./signal.ts";
import { statHandlers } from "./stat.ts";
import { timeHandlers } from "./time.ts";
import type { Handler } from "./types.ts";

export const handlers: Readonly<Record<string, Handler>> = {
  ...ioHandlers,
  ...fsHandlers,
  ...memHandlers,
  ...procHandlers,
  ...signalHandlers,
  ...timeHandlers,
  ...futexHandlers,
  ...layerHandlers,
  ...statHandlers,
  ...linuxFsHandlers,
  ...linuxProcHandlers,
};
