"""localcloud changes moto's internals only on the moto release it was written against."""

from __future__ import annotations

import pytest

from localcloud import moto_patches
from localcloud.clock import Clock
from localcloud.lambda_runtime import LambdaRuntime
from localcloud.moto_caches import MotoCaches
from localcloud.moto_patches import PINNED_MOTO_VERSION, Patches, UnsupportedMotoVersionError
from localcloud.stepfunctions import StepFunctionsFixes
from localcloud.task_permissions import TaskPermissions


def test_the_pinned_release_is_the_one_requirements_lock_installs():
    assert PINNED_MOTO_VERSION == "5.2.5"
    Patches()  # no error on the installed (pinned) release


def test_on_another_moto_release_patching_fails_loudly_by_name(monkeypatch):
    monkeypatch.setattr(moto_patches, "version", lambda package: "5.3.0")

    with pytest.raises(
        UnsupportedMotoVersionError, match=r"moto 5\.2\.5 internals, but moto 5\.3\.0"
    ):
        Patches()


class Owner:
    inherited = "base"


class Child(Owner):
    own = "own"


def test_patches_are_undone_in_reverse_order_and_inherited_names_stay_inherited():
    patches = Patches()
    patches.patch(Child, "own", "first")
    patches.patch(Child, "own", "second")
    patches.patch(Child, "inherited", "shadow")

    assert (Child.own, Child.inherited) == ("second", "shadow")
    patches.undo()

    assert (Child.own, Child.inherited) == ("own", "base")
    assert "inherited" not in vars(Child)


@pytest.mark.parametrize(
    "install",
    [
        lambda tmp_path: LambdaRuntime(tmp_path).install(),
        lambda tmp_path: TaskPermissions().install(),
        lambda tmp_path: MotoCaches().install(),
        lambda tmp_path: StepFunctionsFixes(Clock("fast")).install(),
    ],
    ids=["lambda runtime", "task permissions", "moto caches", "step functions fixes"],
)
def test_each_part_that_changes_moto_refuses_another_release(monkeypatch, tmp_path, install):
    monkeypatch.setattr(moto_patches, "version", lambda package: "5.3.0")

    with pytest.raises(UnsupportedMotoVersionError):
        install(tmp_path)
