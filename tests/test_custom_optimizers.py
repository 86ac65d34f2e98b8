"""A user's optimizers (`optimizers.register`) and optax's (`from_optax`): they
race in the one compiled program of the dynamics like the built-ins."""

from __future__ import annotations

import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from helpers import count_compiles

import optimotion
from optimotion import optimizers, surfaces
from optimotion.optimizers import _registry

ROSENBROCK = surfaces.get("rosenbrock")
START = (-1.2, 1.0)


def sign_descent(lr: float = 0.1):
    """theta <- theta - lr sign(g): no state."""

    def init(params):
        return ()

    def update(grads, state, params):
        return -lr * jnp.sign(grads), state

    return init, update


@pytest.fixture(autouse=True)
def registry(monkeypatch):
    """The registry, restored after each test (from_optax and register add to it)."""
    monkeypatch.setattr(_registry, "_REGISTRY", dict(_registry._REGISTRY))
    return _registry._REGISTRY


def optax_loop(tx, x0, steps):
    """A plain optax loop, float64: the positions (steps + 1, 2)."""
    with jax.enable_x64(True):
        grad = jax.jit(jax.grad(ROSENBROCK.loss))
        params = jnp.asarray(x0, jnp.float64)
        state = tx.init(params)
        xs = [params]
        for _ in range(steps):
            updates, state = tx.update(grad(params), state, params)
            params = optax.apply_updates(params, updates)
            xs.append(params)
        return np.asarray(jnp.stack(xs))


# --- register -----------------------------------------------------------------------


def test_a_registered_optimizer_races_with_the_builtins(registry):
    optimizers.register("sign_descent", sign_descent, display_name="Sign descent")
    opt = optimizers.get("sign_descent", lr=0.01)
    assert opt.name == "sign_descent" and opt.hyperparams == {"lr": 0.01}
    assert optimizers.nice_name("sign_descent") == "Sign descent"
    assert optimizers.defaults("sign_descent") == {"lr": 0.1}
    paths = optimotion.race(
        ROSENBROCK, {"sign": opt, "SGD": optimizers.sgd(lr=1e-3)}, START, 50
    )
    # g at (-1.2, 1) is (-215.6, -88): each step moves 0.01 against its sign
    xy = paths["sign"].xy
    np.testing.assert_allclose(xy[1], [-1.19, 1.01], rtol=1e-12)
    expected = [START]
    with jax.enable_x64(True):
        for _ in range(50):
            p = np.array(expected[-1])
            g = np.asarray(jax.grad(ROSENBROCK.loss)(jnp.asarray(p, jnp.float64)))
            expected.append(p - 0.01 * np.sign(g))
    np.testing.assert_allclose(xy, np.array(expected), rtol=1e-12)
    np.testing.assert_allclose(paths["sign"].lr, 0.01)


def test_a_new_lr_of_a_registered_optimizer_reuses_the_program(registry):
    optimizers.register("sign_descent", sign_descent)
    optimotion.run(ROSENBROCK, optimizers.get("sign_descent", lr=0.01), START, 20)
    compiles = []

    def listener(event, duration, **kwargs):
        if event == "/jax/core/compile/backend_compile_duration":
            compiles.append(event)

    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        path = optimotion.run(
            ROSENBROCK, optimizers.get("sign_descent", lr=0.02), START, 20
        )
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)
    assert compiles == []
    np.testing.assert_allclose(path.xy[1], [-1.18, 1.02], rtol=1e-12)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: optimizers.register("adam", sign_descent),
            ValueError,
            "`optimizers.register`: 'adam' is a built-in optimizer and cannot be "
            "replaced; pick another name",
        ),
        (
            lambda: optimizers.register("Sign Descent", sign_descent),
            ValueError,
            "`optimizers.register`: the name must be lowercase letters, digits and "
            "'_' (a letter first), got 'Sign Descent'",
        ),
        (
            lambda: optimizers.register("nolr", lambda step=0.1: sign_descent(step)),
            ValueError,
            "`optimizers.register`: the factory must take an `lr` (the learning rate "
            "recorded at each step), got parameters ['step']",
        ),
        (
            lambda: optimizers.register("nodefault", lambda lr: sign_descent(lr)),
            ValueError,
            "`optimizers.register`: every parameter of the factory needs a default "
            "(scenes and `get` fill in the rest), 'lr' has none",
        ),
        (
            lambda: optimizers.register("x", sign_descent, color="blurple"),
            ValueError,
            "`optimizers.register`: color must be a matplotlib colour ('crimson', "
            "'#d55e00'), got 'blurple'",
        ),
        (
            lambda: optimizers.register("x", 3),
            TypeError,
            "`optimizers.register`: factory must be callable, got 3 of type "
            "<class 'int'>",
        ),
    ],
)
def test_register_errors(registry, call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


def test_registering_a_name_twice_needs_overwrite(registry):
    optimizers.register("sign_descent", sign_descent)
    with pytest.raises(ValueError, match="pass overwrite=True to replace it"):
        optimizers.register("sign_descent", sign_descent)
    optimizers.register("sign_descent", sign_descent, overwrite=True)


def test_replacing_a_registered_optimizer_does_not_reuse_its_compiled_race(registry):
    def half_sign(lr: float = 0.1):
        init, update = sign_descent(lr)
        return init, lambda g, state, params: (0.5 * update(g, state, params)[0], state)

    optimizers.register("sign_descent", sign_descent)
    first = optimotion.run(ROSENBROCK, optimizers.get("sign_descent"), START, 3)
    optimizers.register("sign_descent", half_sign, overwrite=True)
    second = optimotion.run(ROSENBROCK, optimizers.get("sign_descent"), START, 3)
    # sign(grad) at (-1.2, 1) is (-1, -1): the first step is +lr, then +lr/2
    np.testing.assert_allclose(first.xy[1] - first.xy[0], [0.1, 0.1], atol=1e-15)
    np.testing.assert_allclose(second.xy[1] - second.xy[0], [0.05, 0.05], atol=1e-15)


def test_a_registered_optimizer_renders_from_a_scene(registry, tmp_path):
    optimizers.register("sign_descent", sign_descent, color="crimson")
    scene = tmp_path / "s.yaml"
    scene.write_text(
        "surface: rosenbrock\nsteps: 40\n"
        "render: {views: [contour], size: [320, 240], fps: 10, duration: 1, "
        "hold: 0}\n"
        "optimizers:\n  - {name: sign_descent, lr: 0.02}\n  - {name: adam, lr: 0.05}\n"
    )
    from optimotion import scene as scenes

    loaded = scenes.load_scene(scene)
    assert loaded.labels() == ["sign_descent", "Adam"]
    built = loaded.build()
    assert built.spec.colors == {"sign_descent": "crimson"}
    from optimotion import cli

    out = tmp_path / "out.gif"
    assert cli.main(["render", str(scene), "-o", str(out), "--quiet"]) == 0
    import imageio.v3 as iio

    frames = iio.imread(out, index=None)
    assert frames.shape[0] == 10 and frames.shape[1:3] == (240, 320)


def test_scene_errors_of_registered_and_optax_entries(registry, tmp_path):
    optimizers.register("sign_descent", sign_descent)
    scene = tmp_path / "s.yaml"
    scene.write_text(
        "surface: beale\noptimizers:\n"
        "  - {name: sign_decent, lr: 0.01}\n"
        "  - {optax: lino, learning_rate: 0.001}\n"
        "  - {optax: lion, learning_rate: 0.001, b3: 0.9}\n"
        "  - {name: sign_descent, lrr: 1}\n"
        "  - {optax: lion}\n"
        "  - {optax: lion, learning_rate: 0.1, b1: fast}\n"
    )
    from optimotion import scene as scenes

    with pytest.raises(scenes.SceneError) as info:
        scenes.load_scene(scene)
    assert str(info.value).splitlines() == [
        f"{scene}:3: optimizers[0].name: unknown optimizer 'sign_decent' — did you "
        "mean 'sign_descent'?",
        f"{scene}:4: optimizers[1].optax: unknown optax optimizer 'lino' — did you "
        "mean 'lion'?",
        f"{scene}:5: optimizers[2].b3: unknown key 'b3' for `optax.lion` — did you "
        "mean 'b1'?",
        f"{scene}:6: optimizers[3].lrr: unknown key 'lrr' for `sign_descent` — did "
        "you mean 'lr'?",
        f"{scene}:7: optimizers[4].learning_rate: required field is missing",
        f"{scene}:8: optimizers[5].b1: must be a number, got 'fast' of type "
        "<class 'str'>",
    ]


PLUGIN = """
import jax.numpy as jnp
from optimotion import optimizers

def sign_descent(lr=0.1):
    return (lambda params: (), lambda g, s, p: (-lr * jnp.sign(g), s))

optimizers.register("plugin_sign", sign_descent, display_name="Plugin sign")
"""


def test_cli_plugin_registers_an_optimizer_for_the_scene(tmp_path):
    (tmp_path / "my_plugin.py").write_text(PLUGIN)
    (tmp_path / "s.yaml").write_text(
        "surface: booth\noptimizers:\n  - {name: plugin_sign, lr: 0.05}\n"
    )
    run = subprocess.run(
        [
            sys.executable, "-m", "optimotion", "validate", "s.yaml",
            "--plugin", "my_plugin",
        ],
        cwd=tmp_path, capture_output=True, text=True, env=_env(tmp_path),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "optimotion", "validate", "s.yaml", "--plugin", "nope"],
        cwd=tmp_path, capture_output=True, text=True, env=_env(tmp_path),
    )  # fmt: skip
    assert missing.returncode == 2
    assert missing.stderr.strip() == (
        "optimotion validate: --plugin nope: cannot import it: No module named 'nope'"
    )


def _env(tmp_path):
    import os

    return {**os.environ, "PYTHONPATH": str(tmp_path), "MPLBACKEND": "Agg"}


# --- optax --------------------------------------------------------------------------

OPTAX_CASES = {
    "lion": (optax.lion, dict(learning_rate=1e-2, b1=0.9, b2=0.99)),
    "adabelief": (optax.adabelief, dict(learning_rate=5e-2)),
    "yogi": (optax.yogi, dict(learning_rate=5e-2, b1=0.8)),
    "lamb": (optax.lamb, dict(learning_rate=5e-2, weight_decay=0.0)),
}


@pytest.mark.parametrize("name", sorted(OPTAX_CASES))
def test_from_optax_function_equals_a_plain_optax_loop(name):
    fn, kwargs = OPTAX_CASES[name]
    opt = optimizers.from_optax(fn, **kwargs)
    assert (
        opt.name == f"optax.{name}" and opt.hyperparams["lr"] == kwargs["learning_rate"]
    )
    path = optimotion.run(ROSENBROCK, opt, START, 200)
    np.testing.assert_allclose(
        path.xy, optax_loop(fn(**kwargs), START, 200), rtol=1e-12, atol=1e-14
    )
    np.testing.assert_allclose(path.lr, kwargs["learning_rate"])


def test_from_optax_chain_races_with_builtins_in_one_program():
    tx = optax.chain(
        optax.clip_by_global_norm(1.0), optax.scale_by_adam(), optax.scale(-0.05)
    )
    paths = optimotion.race(
        ROSENBROCK,
        {
            "clipped adam": optimizers.from_optax(tx, name="clipped_adam"),
            "Adam": optimizers.adam(lr=0.05),
        },
        START,
        100,  # past that, Adam bouncing in the valley amplifies ulps
    )
    np.testing.assert_allclose(
        paths["clipped adam"].xy, optax_loop(tx, START, 100), rtol=1e-12, atol=1e-14
    )
    assert np.isnan(paths["clipped adam"].lr).all()  # optax's own lr is hidden
    assert optimizers.nice_name("clipped_adam") == "clipped_adam"


def test_two_transformations_under_one_name_compile_their_own_programs():
    slow = optimizers.from_optax(optax.sgd(1e-4), name="mine", label="Mine")
    fast = optimizers.from_optax(optax.sgd(1e-3), name="mine", label="Mine")
    a = optimotion.run(ROSENBROCK, slow, START, 5)
    b = optimotion.run(ROSENBROCK, fast, START, 5)
    np.testing.assert_allclose(a.xy, optax_loop(optax.sgd(1e-4), START, 5))
    np.testing.assert_allclose(b.xy, optax_loop(optax.sgd(1e-3), START, 5))


def test_a_new_optax_learning_rate_reuses_the_compiled_program():
    optimotion.run(
        ROSENBROCK, optimizers.from_optax(optax.lion, learning_rate=1e-3), START, 30
    )
    with count_compiles() as compiled:
        opt = optimizers.from_optax(optax.lion, learning_rate=2e-3, b1=0.8)
        path = optimotion.run(ROSENBROCK, opt, START, 30)
    assert compiled == []
    tx = optax.lion(learning_rate=2e-3, b1=0.8)
    np.testing.assert_allclose(path.xy, optax_loop(tx, START, 30), rtol=1e-12)


def test_optax_scene_entry_builds_optax_lion(tmp_path):
    from optimotion import scene as scenes

    scene = tmp_path / "s.yaml"
    scene.write_text(
        "surface: rosenbrock\noptimizers:\n"
        "  - {optax: lion, learning_rate: 0.001, b1: 0.9}\n  - {optax: adam, "
        "learning_rate: 0.01}\n  - {name: adam, lr: 0.01}\n"
    )
    loaded = scenes.load_scene(scene)
    assert loaded.labels() == ["Lion", "adam (optax)", "Adam"]
    lion = loaded.build().optimizers["Lion"]
    assert lion.name == "optax.lion"
    assert {k: lion.hyperparams[k] for k in ("lr", "b1", "b2")} == {
        "lr": 0.001,
        "b1": 0.9,
        "b2": 0.99,
    }


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: optimizers.from_optax(optax.lion, learning_rate=0.1, b3=0.5),
            ValueError,
            "`optax.lion`: unknown hyperparameter 'b3', expected one of b1, b2, lr, "
            "mask, mu_dtype, weight_decay; did you mean 'b1'?",
        ),
        (
            lambda: optimizers.from_optax(optax.lion),
            ValueError,
            "`optax.lion`: the learning rate (lr) is required",
        ),
        (
            lambda: optimizers.from_optax(optax.lion, learning_rate="fast"),
            TypeError,
            "`optax.lion`: lr must be a number, got 'fast' of type <class 'str'>",
        ),
        (
            lambda: optimizers.from_optax(optax.sgd(0.1), learning_rate=0.1),
            ValueError,
            "`optimizers.from_optax`: keyword arguments ['learning_rate'] are for an "
            "optax function (from_optax(optax.lion, learning_rate=...)); a built "
            "transformation takes none",
        ),
        (
            lambda: optimizers.from_optax(optax.sgd(0.1), name="adam"),
            ValueError,
            "`optimizers.from_optax`: 'adam' is already a built-in optimizer; pass "
            "another name",
        ),
        (
            lambda: optimizers.from_optax(print),
            ValueError,
            "`optimizers.from_optax`: 'print' is not one of optax's optimizers (a "
            "function with a learning_rate); pass a built GradientTransformation "
            "instead",
        ),
    ],
)
def test_from_optax_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


class _EntryPoint:
    def __init__(self, name, value, loaded):
        self.name, self.value, self._loaded = name, value, loaded

    def load(self):
        if isinstance(self._loaded, Exception):
            raise self._loaded
        return self._loaded


def test_entry_points_register_installed_optimizers(registry, monkeypatch):
    import importlib.metadata

    points = [
        _EntryPoint("ep_sign", "pkg:sign_descent", sign_descent),
        _EntryPoint("ep_broken", "pkg:broken", ImportError("no module 'pkg2'")),
    ]
    monkeypatch.setattr(
        importlib.metadata,
        "entry_points",
        lambda group: points if group == "optimotion.optimizers" else [],
    )
    monkeypatch.setattr(_registry, "_entry_points_loaded", False)
    with pytest.warns(RuntimeWarning) as caught:
        assert optimizers.names("registered") == ("ep_sign",)
    assert str(caught[0].message) == (
        "optimotion: the optimotion.optimizers entry point 'ep_broken' "
        "(pkg:broken) failed to load: ImportError: no module 'pkg2'"
    )
    assert optimizers.get("ep_sign", lr=0.5).hyperparams == {"lr": 0.5}


def test_list_optimizers_shows_registered_ones(capsys):
    from optimotion import cli

    optimizers.register("sign_descent", sign_descent, display_name="signSGD")
    assert cli.main(["list", "optimizers"]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = lines.index("  registered with optimotion.optimizers.register")
    assert lines[at + 1] == "  sign_descent signSGD    lr=0.1"
