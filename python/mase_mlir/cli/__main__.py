import sys

from mase_mlir.cli.main import main

sys.exit(main())
