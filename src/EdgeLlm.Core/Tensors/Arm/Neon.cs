using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

namespace EdgeLlm.Core.Tensors.Arm;

/// <summary>
/// The plain ARMv8 NEON instructions the widening (Cortex-A72) kernels are built from, each with a portable equivalent so
/// those kernels also run, and are tested, on x64. On arm64 every method is the one instruction named.
/// </summary>
internal static unsafe class Neon
{
    /// <summary>smull with the lower half of <paramref name="b"/> already split off: the products of the lower eight bytes, as int16.</summary>
    /// <remarks>Called after the upper half's use of <paramref name="a"/>, so its lower half is its last use and the JIT needs no copy.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<short> MulLower(Vector128<sbyte> a, Vector64<sbyte> bLower) =>
        AdvSimd.IsSupported ? AdvSimd.MultiplyWideningLower(a.GetLower(), bLower) : Vector128.WidenLower(a) * Vector128.WidenLower(bLower.ToVector128Unsafe());

    /// <summary>smull2: the products of the upper eight bytes, as int16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<short> MulUpper(Vector128<sbyte> a, Vector128<sbyte> b) =>
        AdvSimd.IsSupported ? AdvSimd.MultiplyWideningUpper(a, b) : Vector128.WidenUpper(a) * Vector128.WidenUpper(b);

    /// <summary>smlal: acc plus the products of the lower eight bytes.</summary>
    /// <remarks>Called after the upper half's use of <paramref name="a"/>, so its lower half is its last use and the JIT needs no copy.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<short> MulAddLower(Vector128<short> acc, Vector128<sbyte> a, Vector128<sbyte> b) =>
        AdvSimd.IsSupported ? AdvSimd.MultiplyWideningLowerAndAdd(acc, a.GetLower(), b.GetLower()) : acc + Vector128.WidenLower(a) * Vector128.WidenLower(b);

    /// <summary>smlal with the lower half already split off (an activation vector reused by several rows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<short> MulAddLower(Vector128<short> acc, Vector128<sbyte> a, Vector64<sbyte> bLower) =>
        AdvSimd.IsSupported ? AdvSimd.MultiplyWideningLowerAndAdd(acc, a.GetLower(), bLower)
            : acc + Vector128.WidenLower(a) * Vector128.WidenLower(bLower.ToVector128Unsafe());

    /// <summary>smlal2: acc plus the products of the upper eight bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<short> MulAddUpper(Vector128<short> acc, Vector128<sbyte> a, Vector128<sbyte> b) =>
        AdvSimd.IsSupported ? AdvSimd.MultiplyWideningUpperAndAdd(acc, a, b) : acc + Vector128.WidenUpper(a) * Vector128.WidenUpper(b);

    /// <summary>smull (int16): the products of the lower four lanes, as int32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> MulWidenLower(Vector128<short> a, Vector128<short> b) =>
        AdvSimd.IsSupported ? AdvSimd.MultiplyWideningLower(a.GetLower(), b.GetLower()) : Vector128.WidenLower(a) * Vector128.WidenLower(b);

    /// <summary>smlal (int16): acc plus the products of the lower four lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> MulAddWidenLower(Vector128<int> acc, Vector128<short> a, Vector128<short> b) =>
        AdvSimd.IsSupported ? AdvSimd.MultiplyWideningLowerAndAdd(acc, a.GetLower(), b.GetLower()) : acc + Vector128.WidenLower(a) * Vector128.WidenLower(b);

    /// <summary>smlal2 (int16): acc plus the products of the upper four lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> MulAddWidenUpper(Vector128<int> acc, Vector128<short> a, Vector128<short> b) =>
        AdvSimd.IsSupported ? AdvSimd.MultiplyWideningUpperAndAdd(acc, a, b) : acc + Vector128.WidenUpper(a) * Vector128.WidenUpper(b);

    /// <summary>addp (int16): adjacent pairs of <paramref name="a"/>, then of <paramref name="b"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<short> AddPairs(Vector128<short> a, Vector128<short> b)
    {
        if (AdvSimd.Arm64.IsSupported) return AdvSimd.Arm64.AddPairwise(a, b);
        Vector128<int> a32 = a.AsInt32(), b32 = b.AsInt32();
        // Each int lane holds a pair: its two halves' sum, truncated to int16 as addp does.
        Vector128<int> sa = ((a32 << 16) >> 16) + (a32 >> 16), sb = ((b32 << 16) >> 16) + (b32 >> 16);
        return Vector128.Narrow(sa, sb);
    }

    /// <summary>addp (int32): adjacent pairs of <paramref name="a"/>, then of <paramref name="b"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> AddPairs(Vector128<int> a, Vector128<int> b)
    {
        if (AdvSimd.Arm64.IsSupported) return AdvSimd.Arm64.AddPairwise(a, b);
        return Vector128.Create(a.GetElement(0) + a.GetElement(1), a.GetElement(2) + a.GetElement(3), b.GetElement(0) + b.GetElement(1), b.GetElement(2) + b.GetElement(3));
    }

    /// <summary>faddp: adjacent pairs of <paramref name="a"/>, then of <paramref name="b"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> AddPairs(Vector128<float> a, Vector128<float> b)
    {
        if (AdvSimd.Arm64.IsSupported) return AdvSimd.Arm64.AddPairwise(a, b);
        return Vector128.Create(a.GetElement(0) + a.GetElement(1), a.GetElement(2) + a.GetElement(3), b.GetElement(0) + b.GetElement(1), b.GetElement(2) + b.GetElement(3));
    }

    /// <summary>saddlp (int8): adjacent int8 pairs summed into int16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<short> AddPairsWiden(Vector128<sbyte> a)
    {
        if (AdvSimd.IsSupported) return AdvSimd.AddPairwiseWidening(a);
        Vector128<short> a16 = a.AsInt16();
        return ((a16 << 8) >> 8) + (a16 >> 8);
    }

    /// <summary>sadalp (int8): acc plus adjacent int8 pairs summed into int16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<short> AddPairsWiden(Vector128<short> acc, Vector128<sbyte> a) =>
        AdvSimd.IsSupported ? AdvSimd.AddPairwiseWideningAndAdd(acc, a) : acc + AddPairsWiden(a);

    /// <summary>saddlp: adjacent int16 pairs summed into int32 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> AddPairsWiden(Vector128<short> a)
    {
        if (AdvSimd.IsSupported) return AdvSimd.AddPairwiseWidening(a);
        Vector128<int> a32 = a.AsInt32();
        return ((a32 << 16) >> 16) + (a32 >> 16);
    }

    /// <summary>sadalp: acc plus adjacent int16 pairs summed into int32 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> AddPairsWiden(Vector128<int> acc, Vector128<short> a) =>
        AdvSimd.IsSupported ? AdvSimd.AddPairwiseWideningAndAdd(acc, a) : acc + AddPairsWiden(a);

    /// <summary>smlal (int16 by element): acc plus the lower four int16 lanes of <paramref name="a"/> times lane <paramref name="lane"/> of <paramref name="s"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> MulAddLowerByLane(Vector128<int> acc, Vector128<short> a, Vector128<short> s, [ConstantExpected(Max = 7)] byte lane) =>
        AdvSimd.IsSupported ? AdvSimd.MultiplyBySelectedScalarWideningLowerAndAdd(acc, a.GetLower(), s, lane)
            : acc + Vector128.WidenLower(a) * (int)s.GetElement(lane);

    /// <summary>smlal2 (int16 by element): acc plus the upper four int16 lanes of <paramref name="a"/> times lane <paramref name="lane"/> of <paramref name="s"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> MulAddUpperByLane(Vector128<int> acc, Vector128<short> a, Vector128<short> s, [ConstantExpected(Max = 7)] byte lane) =>
        AdvSimd.IsSupported ? AdvSimd.MultiplyBySelectedScalarWideningUpperAndAdd(acc, a, s, lane)
            : acc + Vector128.WidenUpper(a) * (int)s.GetElement(lane);

    /// <summary>ld1 {v.h}[lane]: one int16 loaded into a lane, the others kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<short> LoadLane(Vector128<short> v, [ConstantExpected(Max = 7)] byte lane, short* p) =>
        AdvSimd.IsSupported ? AdvSimd.LoadAndInsertScalar(v, lane, p) : v.WithElement(lane, *p);

    /// <summary>ld1 {v.s}[lane]: one int32 loaded into a lane, the others kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> LoadLane(Vector128<int> v, [ConstantExpected(Max = 3)] byte lane, int* p) =>
        AdvSimd.IsSupported ? AdvSimd.LoadAndInsertScalar(v, lane, p) : v.WithElement(lane, *p);

    /// <summary>uzp1 (int16): the even lanes of a, then of b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<short> UnzipEven(Vector128<short> a, Vector128<short> b) =>
        AdvSimd.Arm64.IsSupported ? AdvSimd.Arm64.UnzipEven(a, b)
            : Vector128.Create(a.GetElement(0), a.GetElement(2), a.GetElement(4), a.GetElement(6), b.GetElement(0), b.GetElement(2), b.GetElement(4), b.GetElement(6));

    /// <summary>uzp2 (int16): the odd lanes of a, then of b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<short> UnzipOdd(Vector128<short> a, Vector128<short> b) =>
        AdvSimd.Arm64.IsSupported ? AdvSimd.Arm64.UnzipOdd(a, b)
            : Vector128.Create(a.GetElement(1), a.GetElement(3), a.GetElement(5), a.GetElement(7), b.GetElement(1), b.GetElement(3), b.GetElement(5), b.GetElement(7));

    /// <summary>ld1r: one float loaded into every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LoadBroadcast(float* p) => AdvSimd.IsSupported ? AdvSimd.LoadAndReplicateToVector128(p) : Vector128.Create(*p);

    /// <summary>ld1r: one int loaded into every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> LoadBroadcast(int* p) => AdvSimd.IsSupported ? AdvSimd.LoadAndReplicateToVector128(p) : Vector128.Create(*p);

    /// <summary>ldr d, sxtl: four int16 loaded and sign-extended to int lanes (no copy of a 128-bit register first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> WidenHalves(short* p) =>
        AdvSimd.IsSupported ? AdvSimd.SignExtendWideningLower(AdvSimd.LoadVector64(p)) : Vector128.WidenLower(Vector128.CreateScalar(*(long*)p).AsInt16());

    /// <summary>
    /// The mask of <see cref="LowerHalvesScaledDown"/>: ~0x70000000 clears the sign copies in bits 28-30 after the shift
    /// (bits 12..0 are clear already), and one mvni builds it, where <see cref="Fp16.ToSingleScaledDown(Vector128{int})"/>'s
    /// 0x8FFFE000 takes a literal load.
    /// </summary>
    public static Vector128<int> HalfSignMask => Vector128.Create(unchecked((int)0x8FFFFFFF));

    /// <summary>
    /// sshll #13, and: the lower four halves of <paramref name="h"/> as floats scaled down by 2¹¹², exactly, in two
    /// instructions (<see cref="Fp16.ToSingleScaledDown(Vector128{int})"/>). <paramref name="mask"/> is <see cref="HalfSignMask"/>,
    /// passed in so that each loop decides where the constant lives.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LowerHalvesScaledDown(Vector128<short> h, Vector128<int> mask) =>
        ((AdvSimd.IsSupported ? AdvSimd.ShiftLeftLogicalWideningLower(h.GetLower(), 13) : Vector128.WidenLower(h) << 13) & mask).AsSingle();

    /// <summary>sshll2 #13, and: the upper four halves of <paramref name="h"/> (<see cref="LowerHalvesScaledDown"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> UpperHalvesScaledDown(Vector128<short> h, Vector128<int> mask) =>
        ((AdvSimd.IsSupported ? AdvSimd.ShiftLeftLogicalWideningUpper(h, 13) : Vector128.WidenUpper(h) << 13) & mask).AsSingle();

    /// <summary>fmul by element: a · b[0] (b need only be loaded as a scalar).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MulByLane0(Vector128<float> a, Vector128<float> b) =>
        AdvSimd.IsSupported ? AdvSimd.MultiplyBySelectedScalar(a, b, 0) : a * Vector128.Create(b.ToScalar());

    /// <summary>
    /// The fp16 scales at x0..x3 (four rows' blocks) as floats scaled down by 2¹¹² (<see cref="Fp16.ToSingleScaledDown(Vector128{int})"/>;
    /// <paramref name="signMask"/> is its mask, passed in so the JIT does not rematerialize it per block). A fresh vector
    /// each call (ldr h, then lanes): a loop-carried one costs a copy before the widening.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> FourScalesScaledDown(byte* x0, byte* x1, byte* x2, byte* x3, Vector128<int> signMask)
    {
        Vector128<short> halves = Vector128.CreateScalarUnsafe(*(short*)x0);
        halves = LoadLane(halves, 1, (short*)x1);
        halves = LoadLane(halves, 2, (short*)x2);
        halves = LoadLane(halves, 3, (short*)x3);
        return ((Vector128.WidenLower(halves) << 13) & signMask).AsSingle();
    }

    /// <summary>fmul by element: a · lane <paramref name="lane"/> of b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MulByLane(Vector128<float> a, Vector128<float> b, [ConstantExpected(Max = 3)] byte lane) =>
        AdvSimd.IsSupported ? AdvSimd.MultiplyBySelectedScalar(a, b, lane) : a * Vector128.Create(b.GetElement(lane));

    /// <summary>dup by element: lane <paramref name="lane"/> of v in every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Broadcast(Vector128<int> v, [ConstantExpected(Max = 3)] byte lane) =>
        AdvSimd.IsSupported ? AdvSimd.DuplicateSelectedScalarToVector128(v, lane) : Vector128.Create(v.GetElement(lane));

    /// <summary>fmla by element: acc + a · lane <paramref name="lane"/> of b, fused.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MulAddByLane(Vector128<float> acc, Vector128<float> a, Vector128<float> b, [ConstantExpected(Max = 3)] byte lane) =>
        AdvSimd.Arm64.IsSupported ? AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(acc, a, b, lane) : Vector128.FusedMultiplyAdd(a, Vector128.Create(b.GetElement(lane)), acc);

    /// <summary>
    /// One store to a scratch slot (one instruction), between two passes that load the same weight vectors: a store
    /// through a pointer may alias them, so the JIT reloads them in the second pass instead of keeping the first pass's
    /// loads live across it, which, in the tiles that unpack one chunk in several ways, ran out of registers and spilled.
    /// <paramref name="scratch"/> must be real memory the caller overwrites later (the tiles pass their output): a
    /// stackalloc slot would not do, as the JIT knows it aliases nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SplitLoads(long* scratch) => *scratch = 0;

    /// <summary>ldr d, uxtl: eight bytes at p widened to eight ushorts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<ushort> WidenBytes(byte* p) =>
        AdvSimd.IsSupported ? AdvSimd.ZeroExtendWideningLower(AdvSimd.LoadVector64(p)) : Vector128.WidenLower(Vector128.CreateScalar(*(ulong*)p).AsByte());

    /// <summary>ldr d, sxtl: eight signed bytes at p widened to eight shorts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<short> WidenBytes(sbyte* p) =>
        AdvSimd.IsSupported ? AdvSimd.SignExtendWideningLower(AdvSimd.LoadVector64(p)) : Vector128.WidenLower(Vector128.CreateScalar(*(ulong*)p).AsSByte());

    /// <summary>fmls: acc − a·b, fused (one rounding, as fma(−a, b, acc)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MulSub(Vector128<float> acc, Vector128<float> a, Vector128<float> b) =>
        AdvSimd.IsSupported ? AdvSimd.FusedMultiplySubtract(acc, a, b) : Vector128.FusedMultiplyAdd(-a, b, acc);

    /// <summary>mla (int32): acc + a·b, wrapping like the separate multiply and add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> MulAdd(Vector128<int> acc, Vector128<int> a, Vector128<int> b) =>
        AdvSimd.IsSupported ? AdvSimd.MultiplyAdd(acc, a, b) : acc + a * b;

    /// <summary>fmla: acc + a·b, fused.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MulAdd(Vector128<float> acc, Vector128<float> a, Vector128<float> b) =>
        AdvSimd.IsSupported ? AdvSimd.FusedMultiplyAdd(acc, a, b) : Vector128.FusedMultiplyAdd(a, b, acc);

    /// <summary>sri #4: (v &gt;&gt;&gt; 4) into the low four bits of <paramref name="into"/>, whose high four bits stay.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> ShiftRightInsert(Vector128<byte> into, Vector128<byte> v) =>
        AdvSimd.IsSupported ? AdvSimd.ShiftRightAndInsert(into, v, 4) : (into & Vector128.Create((byte)0xF0)) | (v >>> 4);

    /// <summary>sli #4: (v &lt;&lt; 4) into the high four bits of <paramref name="into"/>, whose low four bits stay.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> ShiftLeftInsert(Vector128<byte> into, Vector128<byte> v) =>
        AdvSimd.IsSupported ? AdvSimd.ShiftLeftAndInsert(into, v, 4) : (into & Vector128.Create((byte)0x0F)) | (v << 4);
}
