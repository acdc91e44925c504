"""Render nbs/index.ipynb to README.md (what nbdev_readme does where Quarto runs; Quarto cannot run here).
Markdown cells are copied, code cells become python blocks, cells marked `#| hide` are left out.
usage: python .ci/readme.py [--check]"""
import json, sys
from pathlib import Path

def render(nb_path='nbs/index.ipynb')->str:
    cells = json.loads(Path(nb_path).read_text())['cells']
    out = []
    for c in cells:
        src = ''.join(c['source']).strip()
        if not src: continue
        lines = src.splitlines()
        if c['cell_type'] == 'markdown': out.append(src)
        elif not any(l.strip().replace(' ', '') == '#|hide' for l in lines):
            body = '\n'.join(l for l in lines if not l.startswith('#|'))
            out.append(f"```python\n{body}\n```")
    return '\n\n'.join(out) + '\n'

if __name__ == '__main__':
    root = Path(__file__).parent.parent
    text = render(root/'nbs'/'index.ipynb')
    if '--check' in sys.argv:
        if (root/'README.md').read_text() != text: sys.exit("README.md differs from nbs/index.ipynb: run python .ci/readme.py")
    else: (root/'README.md').write_text(text)
