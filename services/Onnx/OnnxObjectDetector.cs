using System.Buffers;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;
using Microsoft.ML.OnnxRuntime;

namespace DaprVideo.Onnx;

/// <summary>
/// The in-process detector: SSDLite-MobileNetV2 COCO on ONNX Runtime. One session is shared by all
/// callers (ONNX Runtime's Run is thread-safe); each call resizes its frames into one pooled uint8
/// batch, runs once for the whole batch into pooled output buffers, then post-processes per frame.
/// Work is CPU-bound and completes synchronously on the calling thread.
/// </summary>
public sealed class OnnxObjectDetector : IObjectDetector, IDisposable
{
    private static readonly string[] InputNames = [SsdModel.InputName];
    private static readonly string[] OutputNames = [SsdModel.ScoresName, SsdModel.BoxesName];

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly SsdPostProcessor _postProcessor;

    public OnnxObjectDetector(OnnxDetectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!File.Exists(options.ModelPath))
            throw new FileNotFoundException($"Detector model not found at '{options.ModelPath}'.", options.ModelPath);

        using var sessionOptions = CreateSessionOptions(options.IntraOpThreads);
        _session = new InferenceSession(options.ModelPath, sessionOptions);
        CheckContract(_session);
        _postProcessor = new SsdPostProcessor(options.PostProcessing);
    }

    /// <summary>The session settings the detector uses, shared with the benchmark's bare run.</summary>
    public static SessionOptions CreateSessionOptions(int intraOpThreads)
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = intraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        // ORT's workers spin between runs by default; next to the ffmpeg processes on few cores that
        // spinning took a fifth of the pipeline's CPU (measured with perf), so idle workers sleep instead.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        return options;
    }

    public Task<IReadOnlyList<Detection>[]> DetectAsync(IReadOnlyList<ImageFrame> frames, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Detect(frames));
    }

    public IReadOnlyList<Detection>[] Detect(IReadOnlyList<ImageFrame> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var n = frames.Count;
        if (n == 0) return [];

        const int perFrameScores = SsdModel.AnchorCount * SsdModel.ClassCount;
        const int perFrameBoxes = SsdModel.AnchorCount * 4;
        var input = ArrayPool<byte>.Shared.Rent(n * SsdModel.InputBytesPerFrame);
        var scores = ArrayPool<float>.Shared.Rent(n * perFrameScores);
        var boxes = ArrayPool<float>.Shared.Rent(n * perFrameBoxes);
        try
        {
            for (var i = 0; i < n; i++)
                FrameResizer.ResizeToRgbParallel(frames[i], SsdModel.InputSize, SsdModel.InputSize,
                    input.AsMemory(i * SsdModel.InputBytesPerFrame, SsdModel.InputBytesPerFrame));

            Run(input, scores, boxes, n);

            var results = new IReadOnlyList<Detection>[n];
            for (var i = 0; i < n; i++)
                results[i] = _postProcessor.Process(
                    scores.AsSpan(i * perFrameScores, perFrameScores),
                    boxes.AsSpan(i * perFrameBoxes, perFrameBoxes),
                    SsdModel.ClassCount);
            return results;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
            ArrayPool<float>.Shared.Return(scores);
            ArrayPool<float>.Shared.Return(boxes);
        }
    }

    /// <summary>One model run over <paramref name="n"/> resized frames into caller-owned output buffers.</summary>
    public void Run(byte[] input, float[] scores, float[] boxes, int n)
    {
        var memory = OrtMemoryInfo.DefaultInstance;
        using var inputValue = OrtValue.CreateTensorValueFromMemory(memory, input.AsMemory(0, n * SsdModel.InputBytesPerFrame),
            [n, SsdModel.InputSize, SsdModel.InputSize, SsdModel.Channels]);
        using var scoresValue = OrtValue.CreateTensorValueFromMemory(memory, scores.AsMemory(0, n * SsdModel.AnchorCount * SsdModel.ClassCount),
            [n, SsdModel.AnchorCount, SsdModel.ClassCount]);
        using var boxesValue = OrtValue.CreateTensorValueFromMemory(memory, boxes.AsMemory(0, n * SsdModel.AnchorCount * 4),
            [n, SsdModel.AnchorCount, 4]);
        _session.Run(_runOptions, InputNames, [inputValue], OutputNames, [scoresValue, boxesValue]);
    }

    private static void CheckContract(InferenceSession session)
    {
        if (!session.InputMetadata.ContainsKey(SsdModel.InputName)
            || !session.OutputMetadata.ContainsKey(SsdModel.ScoresName)
            || !session.OutputMetadata.ContainsKey(SsdModel.BoxesName))
        {
            throw new InvalidOperationException(
                $"The model does not have the expected tensors (input '{SsdModel.InputName}', outputs '{SsdModel.ScoresName}', '{SsdModel.BoxesName}').");
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}
