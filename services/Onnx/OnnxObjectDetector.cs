using System.Collections.Concurrent;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;
using Microsoft.ML.OnnxRuntime;

namespace DaprVideo.Onnx;

/// <summary>
/// The in-process detector: SSDLite-MobileNetV2 COCO on ONNX Runtime. One session is shared by all
/// callers (ONNX Runtime's Run is thread-safe); each call resizes its frames into one uint8 batch,
/// runs once for the whole batch into output buffers, then post-processes per frame.
/// Work is CPU-bound and completes synchronously on the calling thread.
/// The buffers are the detector's own, one set per call running at once and reused: from ArrayPool.Shared, each
/// thread pool thread that ran a batch kept its own set (22 score arrays of 1-4 MB held in a 9-camera run).
/// </summary>
public sealed class OnnxObjectDetector : IObjectDetector, IDisposable
{
    private static readonly string[] InputNames = [SsdModel.InputName];
    private static readonly string[] OutputNames = [SsdModel.ScoresName, SsdModel.BoxesName];

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly SsdPostProcessor _postProcessor;
    private readonly ConcurrentBag<RunBuffers> _buffers = [];

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
        if (!_buffers.TryTake(out var buffers)) buffers = new RunBuffers();
        try
        {
            var (input, scores, boxes) = buffers.For(n);
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
            _buffers.Add(buffers);
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

    /// <summary>One call's input and output tensors, grown to the largest batch it has served.</summary>
    private sealed class RunBuffers
    {
        private byte[] _input = [];
        private float[] _scores = [];
        private float[] _boxes = [];

        public (byte[] Input, float[] Scores, float[] Boxes) For(int frames)
        {
            if (_input.Length < frames * SsdModel.InputBytesPerFrame)
            {
                _input = new byte[frames * SsdModel.InputBytesPerFrame];
                _scores = new float[frames * SsdModel.AnchorCount * SsdModel.ClassCount];
                _boxes = new float[frames * SsdModel.AnchorCount * 4];
            }
            return (_input, _scores, _boxes);
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}
