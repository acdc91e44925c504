"Training checks: frozen base, both backends, the CLI, resume and push failure."
import json, os
import pytest, torch
from medcot.train import make_config, train, last_checkpoint
from medcot.data import MedcotError
from conftest import run_medcot

def test_base_weights_bit_identical_after_training(tmp_path):
    from medcot.quant import load_model, ModelConfig
    from medcot.lora import add_lora, LoraSettings
    import medcot.train as T
    seen = {}
    real_add = T.add_lora
    def spy(model, *a, **k):  # snapshot the 4-bit base exactly as training receives it
        seen['before'] = {n: p.detach().clone() for n, p in model.named_parameters()}
        return real_add(model, *a, **k)
    T.add_lora = spy
    try: res = train(make_config(preset='tiny', overrides=[f'output_dir={tmp_path}', 'max_steps=15', 'eval_steps=0']), verbose=False)
    finally: T.add_lora = real_add
    after = {n.replace('base_model.model.', '').replace('.base_layer', ''): p for n, p in res.model.named_parameters() if 'lora_' not in n}
    assert set(after) == set(seen['before'])
    changed = [n for n, p in seen['before'].items() if not torch.equal(p.to(after[n].dtype), after[n])]
    assert not changed, changed
    lora = [p for n, p in res.model.named_parameters() if 'lora_B' in n]
    assert any(p.abs().sum() > 0 for p in lora)  # while the adapters did learn

def test_cli_train_tiny_and_reload(tmp_path, tiny):
    r = run_medcot('train', '--preset', 'tiny', f'output_dir={tmp_path}/run', 'max_steps=20')
    assert r.returncode == 0, r.stderr[-3000:]
    m = json.loads((tmp_path/'run'/'manifest.json').read_text())
    assert m['eval_loss_after'] < m['eval_loss_before'] and m['steps'] == 20
    from transformers import AutoModelForCausalLM
    from peft import PeftModel
    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny), tmp_path/'run'/'adapter')
    assert sum('lora_' in n for n, _ in model.named_parameters()) == 28

def test_unsloth_backend_cpu_fallback(tmp_path):
    import importlib.util
    if importlib.util.find_spec('unsloth') is None: pytest.skip("Unsloth is not installed (CI installs it with --no-deps)")
    r = run_medcot('train', '--preset', 'tiny', 'model.backend=unsloth', f'output_dir={tmp_path}/run', 'max_steps=20')
    assert r.returncode == 0, r.stderr[-3000:]
    m = json.loads((tmp_path/'run'/'manifest.json').read_text())
    assert m['backend'] == 'unsloth' and m['versions'].get('unsloth')
    # the packed-attention switch ran and said what it did (on a CPU: Unsloth's route is left as it is)
    assert m['attention'].startswith('packed attention:') and 'flash varlen kernel, one call' not in m['attention'], m['attention']
    assert m['eval_loss_after'] < m['eval_loss_before'] - 0.2

def test_interrupt_keeps_checkpoint_and_resume_continues(tmp_path):
    from transformers import TrainerCallback
    class Boom(TrainerCallback):
        def on_step_end(self, args, state, control, **kw):
            if state.global_step == 7: raise KeyboardInterrupt
    cfg = make_config(preset='tiny', overrides=[f'output_dir={tmp_path}', 'max_steps=12', 'save_steps=5', 'eval_steps=0'])
    with pytest.raises(KeyboardInterrupt): train(cfg, callbacks=[Boom()], verbose=False)
    assert last_checkpoint(tmp_path).name == 'checkpoint-7'   # saved on the way out
    assert not (tmp_path/'adapter').exists()
    res = train(cfg, resume=True, verbose=False)
    assert res.manifest['steps'] == 12 and res.manifest['resumed_from'].endswith('checkpoint-7')

def test_push_offline_fails_clearly_after_local_save(tmp_path):
    cfg = make_config(preset='tiny', overrides=[f'output_dir={tmp_path}', 'max_steps=2', 'eval_steps=0', 'push_to_hub=true', 'hub_model_id=me/x'])
    with pytest.raises(MedcotError, match='saved in .*HF_HUB_OFFLINE'): train(cfg, verbose=False)
    assert (tmp_path/'adapter'/'adapter_model.safetensors').exists()

def test_yaml_config_file_cli(tmp_path):
    (tmp_path/'c.yaml').write_text('lora:\n  r: 4\nmax_steps: 3\neval_steps: 0\n')
    r = run_medcot('train', '--preset', 'tiny', '--config', str(tmp_path/'c.yaml'), f'output_dir={tmp_path}/run')
    assert r.returncode == 0, r.stderr[-2000:]
    import yaml
    saved = yaml.safe_load((tmp_path/'run'/'config.yaml').read_text())
    assert saved['lora']['r'] == 4 and saved['max_steps'] == 3 and saved['model']['backend'] == 'hf'

def test_yaml_bad_key_names_the_file(tmp_path):
    (tmp_path/'bad.yaml').write_text('lora:\n  rank: 4\n')
    r = run_medcot('train', '--config', str(tmp_path/'bad.yaml'))
    assert r.returncode == 2 and "bad.yaml: unknown config key 'lora.rank'" in r.stderr, r.stderr[-500:]
