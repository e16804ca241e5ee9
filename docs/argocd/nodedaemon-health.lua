-- Argo CD health check for nodedaemon.dev/NodeDaemon (Lua 5.1, as Argo CD's gopher-lua runs it).
-- Reads the operator's status: observedGeneration, phase, the Failed and ReconcileError
-- conditions, and the DaemonSet-style counters.
local hs = {}

local function condition(kind)
  if obj.status.conditions ~= nil then
    for _, c in ipairs(obj.status.conditions) do
      if c.type == kind then
        return c
      end
    end
  end
  return nil
end

local function count(field)
  local value = obj.status[field]
  if value == nil then
    return 0
  end
  return value
end

if obj.status == nil or obj.status.observedGeneration == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe the NodeDaemon"
  return hs
end
if obj.metadata.generation ~= nil and obj.status.observedGeneration < obj.metadata.generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. obj.metadata.generation
  return hs
end

local reconcileError = condition("ReconcileError")
if reconcileError ~= nil and reconcileError.status == "True" then
  hs.status = "Degraded"
  hs.message = "Reconcile failing: " .. (reconcileError.message or reconcileError.reason or "")
  return hs
end

local desired = count("desiredNumberScheduled")
local updated = count("updatedNumberScheduled")
local available = count("numberAvailable")
local progress = updated .. " of " .. desired .. " nodes updated, " .. available .. " available"
local phase = obj.status.phase

if phase == "Failed" then
  local failed = condition("Failed")
  hs.status = "Degraded"
  hs.message = "Rollout failed"
  if failed ~= nil and failed.message ~= nil then
    hs.message = hs.message .. ": " .. failed.message
  end
  return hs
end
if phase == "Paused" then
  hs.status = "Suspended"
  local paused = condition("Paused")
  hs.message = "Rollout paused (" .. progress .. ")"
  if paused ~= nil and paused.message ~= nil then
    hs.message = hs.message .. ": " .. paused.message
  end
  return hs
end
if phase == "Progressing" or phase == "RollingBack" then
  hs.status = "Progressing"
  hs.message = phase .. ": " .. progress
  return hs
end

-- Complete: every node the rollout targets runs the update (a partition or an update node selector
-- may hold others back on purpose); healthy once every node's pod is available (a node that joined
-- since may still be starting its pod). Without a phase (an older operator), judge by the counters
-- as Argo CD does for a DaemonSet.
local settled = available >= desired and count("numberMisscheduled") == 0
if phase ~= "Complete" then
  settled = settled and updated >= desired
end
if settled then
  hs.status = "Healthy"
  hs.message = progress
else
  hs.status = "Progressing"
  hs.message = "Waiting for pods: " .. progress
end
return hs
