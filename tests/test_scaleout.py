"""Scale-out on Dask (optional extra, installed by the test command): sweeps, tables over many
games, stable-set and tuning grids and batched engine runs on a ``LocalCluster`` give the
serial results exactly (the same arithmetic per value, in other processes)."""

import numpy as np
import pytest

from stability import games, optimize, run, stable_step_sizes, sweep, table, tables

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def executor():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=40) as cluster:
        with distributed.Client(cluster) as client:
            yield client.get_executor()


def test_every_grid_runs_on_a_dask_cluster_and_equals_the_serial_result(executor):
    g1, g3 = games.get("g1"), games.get("g3")
    etas = np.linspace(0.01, 0.6, 40)
    serial, parallel = sweep("fr", g3, [0, 0], "lr", etas), sweep("fr", g3, [0, 0], "lr", etas, executor=executor)
    np.testing.assert_array_equal(parallel.radius, serial.radius)
    assert table(g3, [0, 0], executor=executor) == table(g3, [0, 0])
    items = [(g1, [0, 0]), (games.get("g2"), [0, 0])]
    assert tables(items, executor=executor) == tables(items)
    a = stable_step_sizes("gda", games.get("g2"), [0, 0], num=200, executor=executor, chunks=4)
    b = stable_step_sizes("gda", games.get("g2"), [0, 0], num=200)
    assert a.intervals == b.intervals
    bounds = {"lr": (0.01, 0.9), "beta": (0.0, 0.8)}
    o_par = optimize("hb", games.get("g2"), [0, 0], bounds, num=8, executor=executor, chunks=3)
    o_ser = optimize("hb", games.get("g2"), [0, 0], bounds, num=8)
    assert o_par.radius == o_ser.radius and o_par.hyperparameters == o_ser.hyperparameters
    assert o_par.evaluations == o_ser.evaluations
    np.testing.assert_array_equal(o_par.grid["radius"], o_ser.grid["radius"])
    z0 = np.random.default_rng(0).uniform(-3, 3, (30, 2))
    t_par = run("fr", g3, z0, steps=200, lr=0.05, record=10, executor=executor, chunks=4)
    t_ser = run("fr", g3, z0, steps=200, lr=0.05, record=10)
    np.testing.assert_array_equal(t_par.iterates, t_ser.iterates)
    np.testing.assert_array_equal(t_par.final, t_ser.final)
    assert list(t_par.stop) == list(t_ser.stop) and list(t_par.stop_step) == list(t_ser.stop_step)
