namespace EdgeLlm.Pipeline;

/// <summary>
/// A "may I start this request?" check run by the generation worker right before each request starts
/// (thermal, memory and GPIO guards plug in here). Status shows every guard's <see cref="State"/>.
/// </summary>
public interface IAdmissionGuard
{
    /// <summary>Short name shown in status, e.g. <c>thermal</c>.</summary>
    string Name { get; }

    /// <summary>Current state for status, e.g. <c>ok</c> or <c>overheated (82 °C)</c>.</summary>
    string State { get; }

    /// <summary>Null to allow the request; otherwise the refusal (code such as <c>overheated</c>, and a message).</summary>
    AdmissionRefusal? Check();
}

public sealed record AdmissionRefusal(string Code, string Message);
