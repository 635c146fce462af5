"""Reference builds used only to check and benchmark the model (ODD §2 and §6: why residents
are a vectorised population). `agent_residents` runs the resident rules with one Mesa agent
per resident; it is not part of the model's public interface.
"""

from .agent_residents import AgentResidentsModel, ResidentAgent

__all__ = ["AgentResidentsModel", "ResidentAgent"]
