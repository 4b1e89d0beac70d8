using DaprVideo.ModelConverter.Onnx;
using DaprVideo.ModelConverter.TensorFlow;
using static DaprVideo.ModelConverter.Onnx.OnnxGraphBuilder;

namespace DaprVideo.ModelConverter;

/// <summary>
/// Converts the COCO SSDLite-MobileNetV2 TF.js graph into an ONNX opset-13 graph.
/// The TF graph is cut after its preprocessor's TensorArray while-loop (a resize that is the
/// identity for 300x300 input) and before non-maximum suppression, leaving straight-line ops.
/// The ONNX graph takes uint8 NHWC frames, transposes once to NCHW, and keeps feature maps NCHW
/// up to the box predictors, whose reshapes see NHWC again (their targets come from Shape, so
/// the batch stays dynamic).
/// </summary>
internal sealed class SsdGraphConverter
{
    public const string InputName = "image";
    public const string ScoresName = "scores";
    public const string BoxesName = "boxes";
    public const int OpsetVersion = 13;

    // Output 0 of TensorArrayGatherV3: float [N,300,300,3] RGB 0..255, the resized frames.
    private const string CutTensor = "Preprocessor/map/TensorArrayStack/TensorArrayGatherV3";
    private const string ScoresTensor = "Postprocessor/Slice";
    private const string BoxesTensor = "Postprocessor/ExpandDims_1";
    private const int ImageSize = 300;
    private const int AnchorCount = 1917;
    private const int ClassCount = 90;

    private static readonly long[] ToNchw = [0, 3, 1, 2];
    private static readonly long[] ToNhwc = [0, 2, 3, 1];

    private readonly TfjsGraphModel _tf;
    private readonly OnnxGraphBuilder _onnx = new("ssdlite_mobilenet_v2_coco");
    private readonly Dictionary<string, ConvertedValue> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _nhwcViews = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _initializers = new(StringComparer.Ordinal);

    public SsdGraphConverter(TfjsGraphModel tf)
    {
        _tf = tf;
    }

    public GraphProto Convert()
    {
        _onnx.AddInput(InputName, TensorProto.Types.DataType.Uint8, "N", ImageSize, ImageSize, 3);
        // Transpose while still uint8 (a quarter of the bytes), then Cast; Preprocessor/mul and
        // Preprocessor/sub of the TF graph follow as ordinary nodes.
        var nchw = _onnx.Node("Transpose", "image_nchw", [InputName], IntsAttribute("perm", ToNchw));
        var asFloat = _onnx.Node("Cast", "image_float", [nchw],
            IntAttribute("to", (long)TensorProto.Types.DataType.Float));
        _values[CutTensor] = ConvertedValue.Nchw(asFloat);

        foreach (var node in NodesToConvert())
        {
            ConvertNode(node);
        }

        _onnx.NamedNode("Identity", ScoresName, [AsTf(Value(ScoresTensor))]);
        _onnx.NamedNode("Squeeze", BoxesName, [AsTf(Value(BoxesTensor)), Int64Constant([2])]);
        _onnx.AddOutput(ScoresName, TensorProto.Types.DataType.Float, "N", AnchorCount, ClassCount);
        _onnx.AddOutput(BoxesName, TensorProto.Types.DataType.Float, "N", AnchorCount, 4);
        return _onnx.Graph;
    }

    /// <summary>The nodes the two outputs depend on, stopping at the cut, in topological order.</summary>
    private List<TfNode> NodesToConvert()
    {
        var cutNode = TfTensorRef.Parse(CutTensor)!.Value.Node;
        var order = new List<TfNode>();
        var done = new HashSet<string>(StringComparer.Ordinal) { cutNode };
        var onPath = new HashSet<string>(StringComparer.Ordinal);

        void Visit(string name)
        {
            if (done.Contains(name))
            {
                return;
            }

            if (!onPath.Add(name))
            {
                throw new ConversionException($"cycle through '{name}': the cut does not remove the while-loop");
            }

            if (!_tf.NodesByName.TryGetValue(name, out var node))
            {
                throw new ConversionException($"graph has no node '{name}'");
            }

            foreach (var input in node.DataInputs)
            {
                Visit(input.Node);
            }

            onPath.Remove(name);
            done.Add(name);
            order.Add(node);
        }

        Visit(TfTensorRef.Parse(ScoresTensor)!.Value.Node);
        Visit(TfTensorRef.Parse(BoxesTensor)!.Value.Node);
        return order;
    }

    private void ConvertNode(TfNode node)
    {
        var inputs = node.DataInputs.Select(i => Value(i.Key)).ToList();
        switch (node.Op)
        {
            case "Const":
                _values[node.Name] = ConvertedValue.Of(
                    _tf.Weights.TryGetValue(node.Name, out var constant)
                        ? constant
                        : throw new ConversionException($"constant '{node.Name}' is not in the weight shards"));
                break;
            case "Identity":
                _values[node.Name] = inputs[0];
                break;
            case "Conv2D":
                Set(node, ConvertConvolution(node, inputs, depthwise: false));
                break;
            case "DepthwiseConv2dNative":
                Set(node, ConvertConvolution(node, inputs, depthwise: true));
                break;
            case "FusedBatchNorm" or "FusedBatchNormV3":
                Set(node, ConvertBatchNorm(node, inputs));
                break;
            case "BiasAdd":
                RequireNhwcFormat(node);
                Set(node, Elementwise("Add", node, inputs));
                break;
            case "Add" or "AddV2":
                Set(node, Elementwise("Add", node, inputs));
                break;
            case "Sub":
                Set(node, Elementwise("Sub", node, inputs));
                break;
            case "Mul":
                Set(node, Elementwise("Mul", node, inputs));
                break;
            case "AddN":
                Set(node, Elementwise("Sum", node, inputs));
                break;
            case "Relu6":
                Set(node, Unary(node, inputs[0], "Clip", FloatConstant(0f), FloatConstant(6f)));
                break;
            case "Sigmoid" or "Exp" or "Relu":
                Set(node, Unary(node, inputs[0], node.Op));
                break;
            case "Shape":
                Set(node, ConvertShape(node, inputs[0]));
                break;
            case "StridedSlice":
                Set(node, ConvertStridedSlice(node, inputs));
                break;
            case "Slice":
                Set(node, ConvertSlice(node, inputs));
                break;
            case "Pack":
                Set(node, ConvertPack(node, inputs));
                break;
            case "Unpack":
                ConvertUnpack(node, inputs[0]);
                break;
            case "Reshape":
                Set(node, ConvertedValue.Tf(_onnx.Node("Reshape", node.Name, [AsTf(inputs[0]), AsTf(inputs[1])])));
                break;
            case "ConcatV2":
                var axis = Scalar(node, inputs[^1]);
                Set(node, ConvertedValue.Tf(_onnx.Node("Concat", node.Name, inputs.SkipLast(1).Select(AsTf),
                    IntAttribute("axis", axis))));
                break;
            case "Squeeze":
                var dims = node.GetInts("squeeze_dims");
                Set(node, ConvertedValue.Tf(dims.Length == 0
                    ? _onnx.Node("Squeeze", node.Name, [AsTf(inputs[0])])
                    : _onnx.Node("Squeeze", node.Name, [AsTf(inputs[0]), Int64Constant(dims)])));
                break;
            case "ExpandDims":
                Set(node, ConvertedValue.Tf(_onnx.Node("Unsqueeze", node.Name,
                    [AsTf(inputs[0]), Int64Constant([Scalar(node, inputs[1])])])));
                break;
            case "Transpose":
                Set(node, ConvertedValue.Tf(_onnx.Node("Transpose", node.Name, [AsTf(inputs[0])],
                    IntsAttribute("perm", Ints(node, inputs[1])))));
                break;
            case "Tile":
                Set(node, ConvertedValue.Tf(_onnx.Node("Tile", node.Name, [AsTf(inputs[0]), AsTf(inputs[1])])));
                break;
            default:
                throw new ConversionException($"node '{node.Name}': op {node.Op} is not supported by the converter");
        }
    }

    private ConvertedValue ConvertConvolution(TfNode node, List<ConvertedValue> inputs, bool depthwise)
    {
        RequireNhwcFormat(node);
        var filter = RequireConstant(node, inputs[1]);
        if (filter.Rank != 4)
        {
            throw new ConversionException($"node '{node.Name}': filter must be 4-D");
        }

        var (kh, kw, cin, cout) = (filter.Shape[0], filter.Shape[1], filter.Shape[2], filter.Shape[3]);
        var source = filter.RequireFloats();
        float[] weights;
        long[] dims;
        if (depthwise)
        {
            // TF [KH,KW,C,M] -> ONNX grouped Conv [C*M,1,KH,KW], group = C; channel c*M+m in both.
            weights = Permute(source, kh, kw, cin * cout, 1);
            dims = [cin * cout, 1, kh, kw];
        }
        else
        {
            // TF [KH,KW,Cin,Cout] -> ONNX [Cout,Cin,KH,KW].
            weights = Permute(source, kh, kw, cin, cout);
            dims = [cout, cin, kh, kw];
        }

        var attributes = new List<AttributeProto>
        {
            IntsAttribute("kernel_shape", kh, kw),
            IntsAttribute("strides", SpatialPair(node, "strides")),
            IntsAttribute("dilations", SpatialPair(node, "dilations")),
            StringAttribute("auto_pad", node.GetString("padding") switch
            {
                // TF SAME puts the odd padding at the end, as ONNX SAME_UPPER does.
                "SAME" => "SAME_UPPER",
                "VALID" => "VALID",
                var p => throw new ConversionException($"node '{node.Name}': padding '{p}' is not supported"),
            }),
        };
        if (depthwise)
        {
            attributes.Add(IntAttribute("group", cin));
        }

        var w = _onnx.FloatInitializer(filter.Name, dims, weights);
        return ConvertedValue.Nchw(_onnx.Node("Conv", node.Name, [AsNchw(node, inputs[0]), w], [.. attributes]));
    }

    /// <summary>Reorders [KH,KW,A,B] into [B,A,KH,KW] (the OIHW order ONNX Conv expects).</summary>
    private static float[] Permute(float[] source, int kh, int kw, int a, int b)
    {
        var result = new float[source.Length];
        for (var y = 0; y < kh; y++)
        {
            for (var x = 0; x < kw; x++)
            {
                for (var i = 0; i < a; i++)
                {
                    for (var o = 0; o < b; o++)
                    {
                        result[(((o * a) + i) * kh + y) * kw + x] = source[(((y * kw) + x) * a + i) * b + o];
                    }
                }
            }
        }

        return result;
    }

    private static long[] SpatialPair(TfNode node, string attribute)
    {
        var values = node.GetInts(attribute);
        if (values.Length == 0)
        {
            return [1, 1];
        }

        if (values.Length != 4 || values[0] != 1 || values[3] != 1)
        {
            throw new ConversionException($"node '{node.Name}': {attribute} must be [1,h,w,1] in NHWC");
        }

        return [values[1], values[2]];
    }

    private ConvertedValue ConvertBatchNorm(TfNode node, List<ConvertedValue> inputs)
    {
        RequireNhwcFormat(node);
        if (node.GetBool("is_training", false))
        {
            throw new ConversionException($"node '{node.Name}': training-mode batch norm cannot be converted");
        }

        var parameters = inputs.Skip(1).Take(4).Select(v => FloatConstantOf(RequireConstant(node, v), nchwBroadcast: false));
        return ConvertedValue.Nchw(_onnx.Node("BatchNormalization", node.Name,
            [AsNchw(node, inputs[0]), .. parameters],
            FloatAttribute("epsilon", node.GetFloat("epsilon", 1e-4f))));
    }

    /// <summary>
    /// Broadcasting ops stay in NCHW when every non-constant operand is an NCHW feature map and
    /// the constants are scalars or per-channel vectors (reshaped to [C,1,1]); otherwise they run
    /// in TF layout.
    /// </summary>
    private ConvertedValue Elementwise(string onnxOp, TfNode node, List<ConvertedValue> inputs)
    {
        if (inputs.All(v => v.IsConstant))
        {
            throw new ConversionException($"node '{node.Name}': constant-only {node.Op} is not supported");
        }

        var staysNchw = inputs.Where(v => !v.IsConstant).All(v => v.IsNchw)
            && inputs.Where(v => v.IsConstant).All(v => v.Constant!.Rank <= 1);
        var names = inputs.Select(v => v.IsConstant
            ? ConstantOf(v.Constant!, nchwBroadcast: staysNchw)
            : staysNchw ? v.OnnxName! : AsTf(v));
        var output = _onnx.Node(onnxOp, node.Name, names);
        return staysNchw ? ConvertedValue.Nchw(output) : ConvertedValue.Tf(output);
    }

    private ConvertedValue Unary(TfNode node, ConvertedValue input, string onnxOp, params string[] extraInputs)
    {
        if (input.IsConstant)
        {
            throw new ConversionException($"node '{node.Name}': {node.Op} of a constant is not supported");
        }

        var output = _onnx.Node(onnxOp, node.Name, [input.OnnxName!, .. extraInputs]);
        return input with { OnnxName = output };
    }

    /// <summary>Shape always reports TF (NHWC) order, whatever layout the ONNX value has.</summary>
    private ConvertedValue ConvertShape(TfNode node, ConvertedValue input)
    {
        if (input.IsConstant)
        {
            throw new ConversionException($"node '{node.Name}': Shape of a constant is not supported");
        }

        var shape = _onnx.Node("Shape", input.IsNchw ? $"{node.Name}/nchw" : node.Name, [input.OnnxName!]);
        return ConvertedValue.Tf(input.IsNchw
            ? _onnx.Node("Gather", node.Name, [shape, Int64Constant(ToNhwc)], IntAttribute("axis", 0))
            : shape);
    }

    private ConvertedValue ConvertStridedSlice(TfNode node, List<ConvertedValue> inputs)
    {
        if (node.GetInt("ellipsis_mask", 0) != 0 || node.GetInt("new_axis_mask", 0) != 0)
        {
            throw new ConversionException($"node '{node.Name}': StridedSlice with ellipsis/new-axis masks is not supported");
        }

        var begin = Ints(node, inputs[1]);
        var end = Ints(node, inputs[2]);
        var strides = Ints(node, inputs[3]);
        var beginMask = node.GetInt("begin_mask", 0);
        var endMask = node.GetInt("end_mask", 0);
        var shrinkMask = node.GetInt("shrink_axis_mask", 0);
        var starts = new long[begin.Length];
        var ends = new long[begin.Length];
        var shrunk = new List<long>();
        for (var i = 0; i < begin.Length; i++)
        {
            var bit = 1L << i;
            var forward = strides[i] > 0;
            starts[i] = (beginMask & bit) != 0 ? (forward ? 0 : long.MaxValue) : begin[i];
            ends[i] = (endMask & bit) != 0 ? (forward ? long.MaxValue : long.MinValue) : end[i];
            if ((shrinkMask & bit) != 0)
            {
                // A shrunk axis takes exactly element begin[i]; -1 means the last one.
                starts[i] = begin[i];
                ends[i] = begin[i] == -1 ? long.MaxValue : begin[i] + 1;
                shrunk.Add(i);
            }
        }

        var axes = Enumerable.Range(0, begin.Length).Select(i => (long)i).ToArray();
        var sliced = _onnx.Node("Slice", shrunk.Count == 0 ? node.Name : $"{node.Name}/slice",
            [AsTf(inputs[0]), Int64Constant(starts), Int64Constant(ends), Int64Constant(axes), Int64Constant(strides)]);
        return ConvertedValue.Tf(shrunk.Count == 0
            ? sliced
            : _onnx.Node("Squeeze", node.Name, [sliced, Int64Constant([.. shrunk])]));
    }

    private ConvertedValue ConvertSlice(TfNode node, List<ConvertedValue> inputs)
    {
        var begin = Ints(node, inputs[1]);
        var size = Ints(node, inputs[2]);
        var ends = begin.Zip(size, (b, s) => s == -1 ? long.MaxValue : b + s).ToArray();
        var axes = Enumerable.Range(0, begin.Length).Select(i => (long)i).ToArray();
        return ConvertedValue.Tf(_onnx.Node("Slice", node.Name,
            [AsTf(inputs[0]), Int64Constant(begin), Int64Constant(ends), Int64Constant(axes)]));
    }

    private ConvertedValue ConvertPack(TfNode node, List<ConvertedValue> inputs)
    {
        var axis = node.GetInt("axis", 0);
        if (axis < 0)
        {
            throw new ConversionException($"node '{node.Name}': Pack with a negative axis is not supported");
        }

        var axes = Int64Constant([axis]);
        var parts = inputs.Select((v, k) => _onnx.Node("Unsqueeze", $"{node.Name}/{k}", [AsTf(v), axes])).ToList();
        return ConvertedValue.Tf(_onnx.Node("Concat", node.Name, parts, IntAttribute("axis", axis)));
    }

    private void ConvertUnpack(TfNode node, ConvertedValue input)
    {
        var count = (int)node.GetInt("num", 0);
        var axis = node.GetInt("axis", 0);
        if (count <= 0)
        {
            throw new ConversionException($"node '{node.Name}': Unpack needs num > 0");
        }

        // Split without a 'split' input cuts the axis into equal parts, one per output.
        var parts = _onnx.Node("Split", $"{node.Name}/split", [AsTf(input)], count, IntAttribute("axis", axis));
        var axes = Int64Constant([axis]);
        for (var k = 0; k < count; k++)
        {
            var key = new TfTensorRef(node.Name, k).Key;
            _values[key] = ConvertedValue.Tf(_onnx.Node("Squeeze", key, [parts[k], axes]));
        }
    }

    private void Set(TfNode node, ConvertedValue value) => _values[node.Name] = value;

    private ConvertedValue Value(string key) =>
        _values.TryGetValue(key, out var value)
            ? value
            : throw new ConversionException($"tensor '{key}' is used before it is produced (unsupported multi-output?)");

    /// <summary>The value in TF layout: constants are written as-is, NCHW maps transposed back once.</summary>
    private string AsTf(ConvertedValue value)
    {
        if (value.IsConstant)
        {
            return ConstantOf(value.Constant!, nchwBroadcast: false);
        }

        if (!value.IsNchw)
        {
            return value.OnnxName!;
        }

        if (!_nhwcViews.TryGetValue(value.OnnxName!, out var view))
        {
            view = _onnx.Node("Transpose", $"{value.OnnxName}/nhwc", [value.OnnxName!], IntsAttribute("perm", ToNhwc));
            _nhwcViews[value.OnnxName!] = view;
        }

        return view;
    }

    private string AsNchw(TfNode node, ConvertedValue value)
    {
        if (value.IsConstant)
        {
            throw new ConversionException($"node '{node.Name}': constant feature maps are not supported");
        }

        return value.IsNchw
            ? value.OnnxName!
            : _onnx.Node("Transpose", $"{value.OnnxName}/nchw", [value.OnnxName!], IntsAttribute("perm", ToNchw));
    }

    /// <summary>
    /// Writes a TF constant as an initializer (once per shape variant). Int32 becomes int64, the
    /// type ONNX shape inputs need; float vectors next to NCHW maps become [C,1,1].
    /// </summary>
    private string ConstantOf(TfTensor constant, bool nchwBroadcast) =>
        constant.DataType == TfDataType.Int32
            ? Int64ConstantOf(constant)
            : FloatConstantOf(constant, nchwBroadcast);

    private string FloatConstantOf(TfTensor constant, bool nchwBroadcast)
    {
        var perChannel = nchwBroadcast && constant.Rank == 1;
        var key = perChannel ? $"{constant.Name}#c11" : constant.Name;
        if (!_initializers.TryGetValue(key, out var name))
        {
            long[] dims = perChannel ? [constant.Shape[0], 1, 1] : [.. constant.Shape.Select(d => (long)d)];
            name = _onnx.FloatInitializer(perChannel ? $"{constant.Name}/c11" : constant.Name, dims, constant.RequireFloats());
            _initializers[key] = name;
        }

        return name;
    }

    private string Int64ConstantOf(TfTensor constant)
    {
        if (!_initializers.TryGetValue(constant.Name, out var name))
        {
            name = _onnx.Int64Initializer(constant.Name, [.. constant.Shape.Select(d => (long)d)],
                [.. constant.RequireInts().Select(i => (long)i)]);
            _initializers[constant.Name] = name;
        }

        return name;
    }

    /// <summary>A converter-made int64 vector (axes, starts, ...), shared between identical uses.</summary>
    private string Int64Constant(long[] values)
    {
        var key = "i64:" + string.Join(',', values);
        if (!_initializers.TryGetValue(key, out var name))
        {
            name = _onnx.Int64Initializer("const_i64", [values.Length], values);
            _initializers[key] = name;
        }

        return name;
    }

    private string FloatConstant(float value)
    {
        var key = "f32:" + value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        if (!_initializers.TryGetValue(key, out var name))
        {
            name = _onnx.FloatInitializer("const_f32", [], [value]);
            _initializers[key] = name;
        }

        return name;
    }

    private static TfTensor RequireConstant(TfNode node, ConvertedValue value) =>
        value.Constant ?? throw new ConversionException($"node '{node.Name}': expected a constant input");

    private static long[] Ints(TfNode node, ConvertedValue value) =>
        [.. RequireConstant(node, value).RequireInts().Select(i => (long)i)];

    private static long Scalar(TfNode node, ConvertedValue value)
    {
        var ints = Ints(node, value);
        return ints.Length == 1 ? ints[0] : throw new ConversionException($"node '{node.Name}': expected a scalar constant");
    }

    private static void RequireNhwcFormat(TfNode node)
    {
        var format = node.GetString("data_format") ?? "NHWC";
        if (format != "NHWC")
        {
            throw new ConversionException($"node '{node.Name}': data_format {format} is not supported");
        }
    }
}
