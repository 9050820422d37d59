namespace EdgeLlm.Core.Generation;

/// <summary>
/// Where a prompt may be resumed: prompts run in chunks at fixed absolute positions [k·C, (k+1)·C), and only positions
/// of whole chunks are ever reused.
/// </summary>
/// <remarks>
/// The kernels a batch runs through depend on its size (a tile for four tokens or more, the one-token kernel below, and
/// the two sum in different orders), so a token's keys and values depend on the batch it was in. Fixing the batches to
/// absolute positions makes every whole chunk's rows a function of the tokens alone: a warm run that resumes at a chunk
/// boundary computes exactly the batches a cold run does, and its logits equal the cold run's bit for bit. The partial
/// last chunk of a prompt and generated tokens (one at a time) are never reused.
/// </remarks>
public static class PromptChunks
{
    /// <summary>
    /// Positions a prompt of <paramref name="promptLength"/> tokens may take from a cache whose first
    /// <paramref name="common"/> tokens (all in whole chunks) match it: whole chunks only, and never the chunk of the last
    /// prompt token, whose logits start the answer.
    /// </summary>
    public static int Reusable(int common, int promptLength, int chunk) => Math.Max(0, Math.Min(common, promptLength - 1)) / chunk * chunk;

    /// <summary>Positions of a prompt of <paramref name="length"/> tokens that fall in whole chunks: what a cache may keep.</summary>
    public static int Complete(int length, int chunk) => length / chunk * chunk;

    /// <summary>The length of the common prefix of two token sequences, at most <paramref name="limit"/>.</summary>
    public static int CommonPrefix(IReadOnlyList<int> a, IReadOnlyList<int> b, int limit = int.MaxValue)
    {
        int n = Math.Min(limit, Math.Min(a.Count, b.Count)), i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i;
    }
}
