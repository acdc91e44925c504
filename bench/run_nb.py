"""Run notebooks the way `nbdev_test --flags cuda` does (nbdev's own cell selection), but keep their outputs:
each executed notebook is written to OUT_DIR and the text of its `#| cuda` cells to OUT_DIR/cuda_cells.log.
usage: python bench/run_nb.py [--cpu] OUT_DIR NOTEBOOK...   (exit status 1 if any notebook fails)
--cpu skips the `#| cuda` cells, as plain `nbdev_test` does (then bench/keep_gpu_outputs.py --cpu saves the outputs)."""
import os, sys, json, time
from pathlib import Path
from fastcore.xtras import working_directory
from execnb.nbio import write_nb
from execnb.shell import CaptureShell
from nbdev.process import NBProcessor
from nbdev.frontmatter import FrontmatterProc
from nbdev.config import get_config

def run(fn:Path, out:Path, force=('cuda',)):
    flags = set(get_config().tst_flags.split()) - set(force)
    nb = NBProcessor(fn, procs=FrontmatterProc, process=True).nb
    def _no_eval(cell):  # the same rule as nbdev.test.test_nb
        if cell.cell_type != 'code': return True
        if 'nbdev_export' + '(' in cell.source: return True
        direc = getattr(cell, 'directives_', {}) or {}
        if direc.get('eval:', [''])[0].lower() == 'false': return True
        return flags & direc.keys()
    k, t0, ok = CaptureShell(fn), time.time(), True
    try:
        with working_directory(fn.parent): k.run_all(nb, exc_stop=True, preproc=_no_eval)
    except Exception:
        sys.stderr.write(k.prettytb(fname=fn) + '\n'); ok = False
    write_nb(nb, out/fn.name)
    with open(out/'cuda_cells.log', 'a') as f:
        for c in nb.cells:
            if c.cell_type == 'code' and 'cuda' in (getattr(c, 'directives_', {}) or {}):
                f.write(f"--- {fn.name}\n{c.source}\n>>>\n")
                for o in c.get('outputs', []):
                    f.write(o.get('text', '') if isinstance(o.get('text'), str) else ''.join(o.get('text', [])) or
                            ''.join(o.get('data', {}).get('text/plain', '')) + ('\n'.join(o.get('traceback', [])) if 'traceback' in o else ''))
                f.write('\n')
    print(f"{'PASS' if ok else 'FAIL'} {fn.name} ({time.time()-t0:.0f}s)", flush=True)
    return ok

if __name__ == '__main__':
    os.environ['IN_TEST'] = '1'
    args = [a for a in sys.argv[1:] if a != '--cpu']
    out = Path(args[0]); out.mkdir(parents=True, exist_ok=True)
    res = [run(Path(p).resolve(), out, force=() if '--cpu' in sys.argv else ('cuda',)) for p in args[1:]]
    sys.exit(0 if all(res) else 1)
