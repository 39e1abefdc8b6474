// Jobs on the local backend (issue #16): `serve --jobs-backend local` (the default) runs every job
// in the Spaces' bubblewrap sandbox on this machine. The cases are in jobs_lib.mjs, shared with the
// Slurm run (jobs_slurm.test.mjs). Skipped where bwrap is absent.
import { HAVE_BWRAP } from "./runtime_lib.mjs";
import { defineJobTests } from "./jobs_lib.mjs";

defineJobTests({ hubArgs: ["--jobs-backend", "local"], skip: HAVE_BWRAP ? false : "bwrap is not installed" });
