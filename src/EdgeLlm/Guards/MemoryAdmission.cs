using EdgeLlm.Pipeline;

namespace EdgeLlm.Guards;

/// <summary>The memory floor as seen by the request pipeline: new requests get <c>low_memory</c> while below it.</summary>
public sealed class MemoryAdmission(MemoryGuard guard) : IAdmissionGuard
{
    public string Name => "memory";

    public string State
    {
        get
        {
            bool ok = guard.AcceptsNewRequests;
            if (guard.Last is not { } m) return "not protecting (memory figures unavailable)";
            string figures = $"{m.Usable / 1048576} MiB usable";
            return ok ? $"ok ({figures})" : $"low ({figures}, floor {guard.FloorBytes / 1048576} MiB)";
        }
    }

    public AdmissionRefusal? Check() => guard.AcceptsNewRequests
        ? null
        : new AdmissionRefusal("low_memory",
            $"only {(guard.Last?.Usable ?? 0) / 1048576} MiB of memory is available, below the floor of {guard.FloorBytes / 1048576} MiB; try again later");
}
