"""Write the reconstructed IPD of the bundled demo figure data, the input of reconstruction.R.

Run from the repository root: ``python tests/reference/reconstruction_data.py``; then
``Rscript tests/reference/reconstruction.R``. tests/test_reference_reconstruction.py checks that the
reconstruction still yields exactly this file and that kmrecon's statistics on it equal R's.
"""

from pathlib import Path

from kmrecon.commands.demo import DEMO_PRECISION, demo_file
from reconstruct import reconstruct_files

OUT = Path(__file__).resolve().parent / "data" / "demo_reconstructed_ipd.csv"


def reconstructed_frame():
    """The demo reconstruction as an IPD DataFrame (arm, time, event)."""
    return reconstruct_files(demo_file("curves.csv"), demo_file("at_risk.csv"), precision=DEMO_PRECISION).to_frame()


if __name__ == "__main__":
    reconstructed_frame().to_csv(OUT, index=False, float_format="%.17g", lineterminator="\n")
