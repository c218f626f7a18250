"""FastAPI dependencies: the shared state and the caller behind an API key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader

from api.state import ServiceState

API_KEY_HEADER = "X-API-Key"
_api_key = APIKeyHeader(name=API_KEY_HEADER, auto_error=False, description="Operator's or planner's API key.")


def get_state(request: Request) -> ServiceState:
    """The app's :class:`ServiceState` (made by the app factory's lifespan)."""
    return request.app.state.service


State = Annotated[ServiceState, Depends(get_state)]


@dataclass(frozen=True)
class Caller:
    """Who is calling: an operator (may change its own equipment) or a planner (reads everything)."""

    name: str
    role: str
    operator: str | None

    def may_read_cells_of(self, operator: str) -> bool:
        return self.role == "planner" or self.operator == operator


@dataclass(frozen=True)
class OperatorCaller(Caller):
    """A caller whose key belongs to an operator: ``operator`` is always set."""

    operator: str


def optional_caller(state: State, key: Annotated[str | None, Security(_api_key)] = None) -> Caller | None:
    """The caller of a valid key, None without a key; 401 for a key that matches none."""
    if key is None:
        return None
    for k in state.keys:
        if k.matches(key):
            return Caller(k.name, k.role, k.operator)
    raise HTTPException(status_code=401, detail=f"{API_KEY_HEADER}: unknown API key")


def require_caller(caller: Annotated[Caller | None, Depends(optional_caller)]) -> Caller:
    """A caller with a valid key (401 otherwise)."""
    if caller is None:
        raise HTTPException(
            status_code=401,
            detail=f"{API_KEY_HEADER}: this request needs an API key",
            headers={"WWW-Authenticate": "ApiKey"},
        )
    return caller


def require_operator(caller: Annotated[Caller, Depends(require_caller)]) -> OperatorCaller:
    """A caller whose key belongs to an operator (403 for planners: they read, operators write)."""
    if caller.role != "operator" or caller.operator is None:  # a key of role operator always names one
        raise HTTPException(status_code=403, detail="only an operator's key may change sites and cells")
    return OperatorCaller(caller.name, caller.role, caller.operator)
