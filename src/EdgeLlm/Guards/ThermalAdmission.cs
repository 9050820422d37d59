using System.Globalization;
using EdgeLlm.Pipeline;

namespace EdgeLlm.Guards;

/// <summary>The thermal guard as seen by the request pipeline: its state in status, and refusals while paused (if configured).</summary>
public sealed class ThermalAdmission(ThermalGuard guard) : IAdmissionGuard
{
    public string Name => "thermal";

    public string State
    {
        get
        {
            string t = guard.Temperature is double c ? $"{c.ToString("F1", CultureInfo.InvariantCulture)} °C" : "no sensor";
            return guard.State switch
            {
                ThermalState.Disabled => $"disabled ({t})",
                ThermalState.Throttled => $"throttled ({t}, {guard.TokenDelay.TotalMilliseconds:F0} ms/token)",
                ThermalState.Paused => $"paused ({t})",
                _ => $"ok ({t})",
            };
        }
    }

    public AdmissionRefusal? Check() => guard.AcceptsNewRequests
        ? null
        : new AdmissionRefusal("overheated",
            $"the device is at {guard.Temperature?.ToString("F1", CultureInfo.InvariantCulture)} °C, above the {guard.Settings.HardLimit} °C hard limit; " +
            $"generation resumes below {guard.Settings.Resume} °C");
}
