"""A skill that raises: its traceback must reach the user, made safe,
before grove's crash message. The message carries terminal control
sequences, as a hostile skill's output would."""

from wit_world import WitWorld
from wit_world.imports import types


def deeper(depth: int) -> None:
    if depth == 0:
        raise ValueError("the answer was \x1b[31mred\x1b[0m\x1b]0;owned\x07 and wrong")
    deeper(depth - 1)


class WitWorld(WitWorld):
    def describe(self) -> types.SkillInfo:
        return types.SkillInfo(name="crash", version="0.0.1", summary="Raises", usage="", permissions=[])

    def run(self, invocation: types.Invocation) -> types.Outcome:
        deeper(2)
        return types.Outcome(summary="unreachable", report=None, data=None, success=True)
