// The kiln command: one subcommand per job, each in its own module under cli/.
import { Command, CommanderError } from "commander";
import { registerCheck, registerGen } from "./spec-commands.ts";

export async function main(argv: string[]): Promise<number> {
  const program = new Command("kiln")
    .description("kiln: an executable specification of a kernel-interfacing library layer")
    .showHelpAfterError()
    .exitOverride();
  registerGen(program);
  registerCheck(program);
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  }
}
