using System.Globalization;

namespace DaprVideo.Tests.DaprSidecar.Resiliency;

/// <summary>
/// A circuit breaker's <c>trip</c>: a CEL expression over the breaker counts, evaluated whenever a call fails while
/// closed (dapr/dapr pkg/expr/expr.go compiles it with cel-go, declaring every unknown identifier as <c>dyn</c>;
/// pkg/resiliency/breaker/circuitbreaker.go binds requests, totalSuccesses, totalFailures, consecutiveSuccesses,
/// consecutiveFailures as int64 and trips only when the result is the bool <c>true</c> — an evaluation error or a
/// non-bool result never trips).
/// <para>Modelled subset of CEL: int and double literals, true/false, identifiers, parentheses, <c>! - * / % + -</c>,
/// <c>&lt; &lt;= &gt; &gt;= == !=</c>, <c>&amp;&amp; ||</c> (CEL's commutative error absorption: <c>false &amp;&amp; error</c>
/// is false, <c>true || error</c> is true) and <c>?:</c>. Runtime int/double comparisons are numeric (cel-go compares
/// across numeric types), equality of different kinds is false, int overflow and division by zero are errors.
/// Literal-only type clashes that cel-go's checker rejects (e.g. <c>1 &lt; 2.0</c>, <c>!5</c>) are rejected here too.
/// Not modelled (rejected, so a config the stand-in cannot read fails loudly): strings, bytes, uint literals, null,
/// lists, maps, member access, function and macro calls.</para>
/// </summary>
public sealed class TripExpression
{
    private readonly Node _root;

    private TripExpression(string text, Node root)
    {
        Text = text;
        _root = root;
    }

    public string Text { get; }

    public override string ToString() => Text;

    /// <summary>Compiles <paramref name="text"/>; throws <see cref="InvalidDataException"/> for a CEL compile error (or unsupported syntax).</summary>
    public static TripExpression Parse(string text)
    {
        var parser = new Parser(text);
        var root = parser.ParseAll();
        return new TripExpression(text, root);
    }

    /// <summary>Whether the breaker trips for these counts (daprd's tripFn).</summary>
    public bool Evaluate(BreakerCounts counts) => Evaluate(new Dictionary<string, object>(StringComparer.Ordinal)
    {
        ["requests"] = (long)counts.Requests,
        ["totalSuccesses"] = (long)counts.TotalSuccesses,
        ["totalFailures"] = (long)counts.TotalFailures,
        ["consecutiveSuccesses"] = (long)counts.ConsecutiveSuccesses,
        ["consecutiveFailures"] = (long)counts.ConsecutiveFailures,
    });

    /// <summary>Evaluates against arbitrary variables (long, double or bool values); true only for a bool true result.</summary>
    public bool Evaluate(IReadOnlyDictionary<string, object> variables) => _root.Eval(variables) is true;

    /// <summary>Marker for a CEL evaluation error (no such attribute, no matching overload, overflow, division by zero).</summary>
    private sealed class EvalError
    {
        public static readonly EvalError Instance = new();
    }

    private enum StaticType { Dyn, Int, Double, Bool }

    private abstract class Node
    {
        public abstract StaticType Type { get; }

        public abstract object Eval(IReadOnlyDictionary<string, object> vars);
    }

    private sealed class Literal(object value, StaticType type) : Node
    {
        public override StaticType Type => type;

        public override object Eval(IReadOnlyDictionary<string, object> vars) => value;
    }

    private sealed class Identifier(string name) : Node
    {
        public override StaticType Type => StaticType.Dyn;

        public override object Eval(IReadOnlyDictionary<string, object> vars) =>
            vars.TryGetValue(name, out var v) ? v : EvalError.Instance;
    }

    private sealed class Not(Node operand) : Node
    {
        public override StaticType Type => StaticType.Bool;

        public override object Eval(IReadOnlyDictionary<string, object> vars) =>
            operand.Eval(vars) is bool b ? !b : EvalError.Instance;
    }

    private sealed class Negate(Node operand) : Node
    {
        public override StaticType Type => operand.Type;

        public override object Eval(IReadOnlyDictionary<string, object> vars) => operand.Eval(vars) switch
        {
            long l when l != long.MinValue => -l,
            double d => -d,
            _ => EvalError.Instance,
        };
    }

    private sealed class Logical(string op, Node left, Node right) : Node
    {
        public override StaticType Type => StaticType.Bool;

        public override object Eval(IReadOnlyDictionary<string, object> vars)
        {
            var l = left.Eval(vars);
            var r = right.Eval(vars);
            var absorbing = op == "||"; // true absorbs ||, false absorbs &&
            if (l is bool lb && lb == absorbing) return absorbing;
            if (r is bool rb && rb == absorbing) return absorbing;
            if (l is bool && r is bool) return !absorbing;
            return EvalError.Instance;
        }
    }

    private sealed class Conditional(Node condition, Node whenTrue, Node whenFalse) : Node
    {
        public override StaticType Type => whenTrue.Type == whenFalse.Type ? whenTrue.Type : StaticType.Dyn;

        public override object Eval(IReadOnlyDictionary<string, object> vars) => condition.Eval(vars) switch
        {
            true => whenTrue.Eval(vars),
            false => whenFalse.Eval(vars),
            _ => EvalError.Instance,
        };
    }

    private sealed class Binary(string op, Node left, Node right) : Node
    {
        public override StaticType Type => op is "==" or "!=" or "<" or "<=" or ">" or ">="
            ? StaticType.Bool
            : left.Type == right.Type ? left.Type : StaticType.Dyn;

        public override object Eval(IReadOnlyDictionary<string, object> vars)
        {
            var l = left.Eval(vars);
            var r = right.Eval(vars);
            if (l is EvalError || r is EvalError) return EvalError.Instance;
            return op switch
            {
                "==" => AreEqual(l, r),
                "!=" => !AreEqual(l, r),
                "<" or "<=" or ">" or ">=" => Compare(l, r) is { } c ? op switch
                {
                    "<" => c < 0,
                    "<=" => c <= 0,
                    ">" => c > 0,
                    _ => c >= 0,
                } : EvalError.Instance,
                _ => Arithmetic(op, l, r),
            };
        }

        private static bool AreEqual(object l, object r) => (l, r) switch
        {
            (long a, long b) => a == b,
            (double a, double b) => a == b,
            (long a, double b) => a == b,
            (double a, long b) => a == b,
            (bool a, bool b) => a == b,
            _ => false, // heterogeneous equality is false, not an error
        };

        private static int? Compare(object l, object r) => (l, r) switch
        {
            (long a, long b) => a.CompareTo(b),
            (double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? null : a.CompareTo(b),
            (long a, double b) => double.IsNaN(b) ? null : ((double)a).CompareTo(b),
            (double a, long b) => double.IsNaN(a) ? null : a.CompareTo((double)b),
            (bool a, bool b) => a.CompareTo(b),
            _ => null,
        };

        private static object Arithmetic(string op, object l, object r)
        {
            try
            {
                return (l, r) switch
                {
                    (long a, long b) => op switch
                    {
                        "+" => checked(a + b),
                        "-" => checked(a - b),
                        "*" => checked(a * b),
                        "/" => b == 0 ? EvalError.Instance : checked(a / b),
                        _ => b == 0 ? EvalError.Instance : a % b,
                    },
                    (double a, double b) => op switch
                    {
                        "+" => a + b,
                        "-" => a - b,
                        "*" => a * b,
                        "/" => a / b,
                        _ => EvalError.Instance, // CEL has no double modulo
                    },
                    _ => EvalError.Instance, // no mixed-type arithmetic in CEL
                };
            }
            catch (OverflowException)
            {
                return EvalError.Instance;
            }
        }
    }

    private sealed class Parser(string text)
    {
        private readonly List<(string Kind, string Text)> _tokens = Tokenize(text);
        private int _pos;

        public Node ParseAll()
        {
            if (_tokens.Count == 0) throw Error("empty expression");
            var node = ParseConditional();
            if (_pos != _tokens.Count) throw Error($"unexpected '{_tokens[_pos].Text}'");
            return node;
        }

        private Node ParseConditional()
        {
            var condition = ParseLogical("||");
            if (!Accept("?")) return condition;
            RequireType(condition, "_?_:_", StaticType.Bool);
            var whenTrue = ParseLogical("||");
            Expect(":");
            var whenFalse = ParseConditional();
            return new Conditional(condition, whenTrue, whenFalse);
        }

        private Node ParseLogical(string op)
        {
            var left = op == "||" ? ParseLogical("&&") : ParseRelation();
            while (Accept(op))
            {
                var right = op == "||" ? ParseLogical("&&") : ParseRelation();
                RequireType(left, op, StaticType.Bool);
                RequireType(right, op, StaticType.Bool);
                left = new Logical(op, left, right);
            }
            return left;
        }

        private Node ParseRelation()
        {
            var left = ParseAdditive();
            while (Peek() is "==" or "!=" or "<" or "<=" or ">" or ">=")
            {
                var op = _tokens[_pos++].Text;
                var right = ParseAdditive();
                CheckOperands(op, left, right);
                left = new Binary(op, left, right);
            }
            return left;
        }

        private Node ParseAdditive()
        {
            var left = ParseMultiplicative();
            while (Peek() is "+" or "-")
            {
                var op = _tokens[_pos++].Text;
                var right = ParseMultiplicative();
                CheckOperands(op, left, right);
                left = new Binary(op, left, right);
            }
            return left;
        }

        private Node ParseMultiplicative()
        {
            var left = ParseUnary();
            while (Peek() is "*" or "/" or "%")
            {
                var op = _tokens[_pos++].Text;
                var right = ParseUnary();
                CheckOperands(op, left, right);
                left = new Binary(op, left, right);
            }
            return left;
        }

        private Node ParseUnary()
        {
            if (Accept("!"))
            {
                var operand = ParseUnary();
                RequireType(operand, "!_", StaticType.Bool);
                return new Not(operand);
            }
            if (Accept("-"))
            {
                var operand = ParseUnary();
                if (operand.Type == StaticType.Bool) throw NoOverload("-_", operand.Type);
                return new Negate(operand);
            }
            return ParsePrimary();
        }

        private Node ParsePrimary()
        {
            if (_pos >= _tokens.Count) throw Error("unexpected end of expression");
            var (kind, tokenText) = _tokens[_pos++];
            switch (kind)
            {
                case "int":
                    return long.TryParse(tokenText, NumberStyles.None, CultureInfo.InvariantCulture, out var l)
                        ? new Literal(l, StaticType.Int)
                        : throw Error($"invalid int literal {tokenText}");
                case "double":
                    return new Literal(double.Parse(tokenText, NumberStyles.Float, CultureInfo.InvariantCulture), StaticType.Double);
                case "ident" when tokenText == "true":
                    return new Literal(true, StaticType.Bool);
                case "ident" when tokenText == "false":
                    return new Literal(false, StaticType.Bool);
                case "ident" when tokenText is "null" or "in":
                    throw Error($"'{tokenText}' is not supported by the stand-in");
                case "ident":
                    if (Peek() is "(" or ".") throw Error($"calls and member access ('{tokenText}{Peek()}') are not supported by the stand-in");
                    return new Identifier(tokenText);
                case "op" when tokenText == "(":
                    var inner = ParseConditional();
                    Expect(")");
                    return inner;
                default:
                    throw Error($"unexpected '{tokenText}'");
            }
        }

        private static void CheckOperands(string op, Node left, Node right)
        {
            var (a, b) = (left.Type, right.Type);
            var arithmetic = op is "+" or "-" or "*" or "/" or "%";
            if (arithmetic && (a == StaticType.Bool || b == StaticType.Bool)) throw NoOverload(op, a, b);
            if (op == "%" && (a == StaticType.Double || b == StaticType.Double)) throw NoOverload(op, a, b);
            if (a != StaticType.Dyn && b != StaticType.Dyn && a != b) throw NoOverload(op, a, b);
        }

        private static void RequireType(Node node, string op, StaticType type)
        {
            if (node.Type != StaticType.Dyn && node.Type != type) throw NoOverload(op, node.Type);
        }

        private static InvalidDataException NoOverload(string op, params StaticType[] types) =>
            new($"found no matching overload for '{op}' applied to '({string.Join(", ", types.Select(t => t.ToString().ToLowerInvariant()))})'");

        private InvalidDataException Error(string message) => new($"invalid trip expression \"{text}\": {message}");

        private string? Peek() => _pos < _tokens.Count ? _tokens[_pos].Text : null;

        private bool Accept(string op)
        {
            if (Peek() != op || _tokens[_pos].Kind != "op") return false;
            _pos++;
            return true;
        }

        private void Expect(string op)
        {
            if (!Accept(op)) throw Error($"expected '{op}'");
        }

        private static List<(string Kind, string Text)> Tokenize(string s)
        {
            var tokens = new List<(string, string)>();
            var i = 0;
            while (i < s.Length)
            {
                var c = s[i];
                if (char.IsWhiteSpace(c)) { i++; continue; }
                if (char.IsAsciiLetter(c) || c == '_')
                {
                    var start = i;
                    while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] == '_')) i++;
                    tokens.Add(("ident", s[start..i]));
                    continue;
                }
                if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1])))
                {
                    var start = i;
                    var isDouble = false;
                    while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
                    if (i < s.Length && s[i] == '.') { isDouble = true; i++; while (i < s.Length && char.IsAsciiDigit(s[i])) i++; }
                    if (i < s.Length && s[i] is 'e' or 'E')
                    {
                        isDouble = true;
                        i++;
                        if (i < s.Length && s[i] is '+' or '-') i++;
                        if (i >= s.Length || !char.IsAsciiDigit(s[i])) throw new InvalidDataException($"invalid trip expression \"{s}\": bad exponent");
                        while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
                    }
                    if (i < s.Length && (char.IsAsciiLetter(s[i]) || s[i] == '_'))
                        throw new InvalidDataException($"invalid trip expression \"{s}\": literal '{s[start..(i + 1)]}' is not supported by the stand-in (hex and uint literals are not modelled)");
                    tokens.Add((isDouble ? "double" : "int", s[start..i]));
                    continue;
                }
                var two = i + 1 < s.Length ? s.Substring(i, 2) : null;
                if (two is "&&" or "||" or "==" or "!=" or "<=" or ">=")
                {
                    tokens.Add(("op", two));
                    i += 2;
                    continue;
                }
                if ("!<>+-*/%()?:".Contains(c, StringComparison.Ordinal))
                {
                    tokens.Add(("op", c.ToString()));
                    i++;
                    continue;
                }
                throw new InvalidDataException($"invalid trip expression \"{s}\": unexpected character '{c}'");
            }
            return tokens;
        }
    }
}
