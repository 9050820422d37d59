namespace EdgeLlm.Core.Model;

/// <summary>A unit of data-parallel work: process items [start, end) on the given worker.</summary>
/// <remarks>
/// Implemented by long-lived job objects whose fields are set before each run, so dispatching work
/// to the pool allocates nothing (no closures, no tasks) on the per-token path.
/// </remarks>
public interface IParallelWork
{
    void Execute(int start, int end, int worker);
}
