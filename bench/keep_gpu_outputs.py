"""Copy the outputs of `#| cuda` cells from notebooks run on a GPU (`bash bench/gpu.sh tests` writes them to $OUT)
into the notebooks in nbs/, so the docs show what the GPU cells printed (stdout and short results; progress bars,
warnings and long reprs stay out). A cell is matched by its code (directives
aside); cells whose code changed since the GPU run keep what they had and are listed.
usage: python bench/keep_gpu_outputs.py RUN_DIR [RUN_DIR ...]   (later folders win)"""
import json, sys
from pathlib import Path

def _src(cell): return ''.join(cell['source']) if isinstance(cell['source'], list) else cell['source']

def _code(cell): return '\n'.join(l for l in _src(cell).splitlines() if not l.startswith('#|')).strip()

def _worth_showing(o):
    if o['output_type'] == 'stream': return o.get('name') == 'stdout'
    text = o.get('data', {}).get('text/plain', o.get('text', ''))
    return len(''.join(text)) < 2000

def keep(run_dirs, nbs=Path('nbs')):
    ran = {}
    for d in run_dirs:
        for f in Path(d).glob('*.ipynb'):
            for c in json.loads(f.read_text())['cells']:
                if c['cell_type'] == 'code': ran[(f.name, _code(c))] = c.get('outputs', [])
    for f in sorted(nbs.glob('*.ipynb')):
        nb, n, missing = json.loads(f.read_text()), 0, []
        for c in nb['cells']:
            if c['cell_type'] != 'code' or not any(l.strip() in ('#| cuda', '#|cuda') for l in _src(c).splitlines()): continue
            out = ran.get((f.name, _code(c)))
            if out is None: missing.append(_code(c).splitlines()[0][:60]); continue
            c['outputs'] = [o for o in out if _worth_showing(o)]; n += 1
        if n or missing:
            f.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
            print(f"{f.name}: {n} GPU cell(s) with outputs" + (f"; not run on the GPU in these folders: {missing}" if missing else ''))

if __name__ == '__main__': keep(sys.argv[1:])
