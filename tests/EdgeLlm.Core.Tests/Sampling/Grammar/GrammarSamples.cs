namespace EdgeLlm.Core.Tests.Sampling.Grammar;

/// <summary>
/// Our own grammars, written to exercise every construct llama.cpp's grammars/ folder uses (recursion through
/// parentheses, nested groups, negated classes, Unicode ranges by raw character and by escape, bounded and open
/// repetition, multi-line rules, comments, empty alternatives), plus a few strings each must accept or reject.
/// </summary>
internal static class GrammarSamples
{
    public static readonly (string Name, string Text, string[] Accepts, string[] Rejects)[] All =
    [
        ("arithmetic", """
            # integer expressions with precedence, right-recursive
            root  ::= (expr "=" ws term "\n")+
            expr  ::= term ([-+*/] term)*
            term  ::= ident | num | "(" ws expr ")" ws
            ident ::= [a-z] [a-z0-9_]* ws
            num   ::= [0-9]+ ws
            ws    ::= [ \t\n]*
            """, ["1+2= 3\n", "(a*b)-c=x\n2=2\n"], ["1+=2\n", "=1\n"]),

        ("chess", """
            root ::= (
                "1. " move " " move "\n"
                ([1-9] [0-9]? ". " move " " move "\n")+
            )
            move ::= (pawn | piece | castle) [+#]?
            pawn ::= ([a-h] "x")? [a-h] [1-8] ("=" [NBRQ])?
            piece ::= [NBKQR] [a-h]? [1-8]? "x"? [a-h] [1-8]
            castle ::= "O-O" "-O"?
            """, ["1. e4 e5\n2. Nf3 Nc6\n", "1. d4 d5\n10. O-O-O Qxd8#\n"], ["1. e9 e5\n2. a1 a2\n", "1. e4 e5\n"]),

        ("english-like", """
            root ::= sentence+
            sentence ::= word (" " word)* [.!?] ws
            word ::= [A-Za-z] [^ .!?\n\t]{0,20}
            ws ::= " "?
            """, ["Hello there. Yes!", "Hi wörds?"], ["no end", " leading."]),

        ("japanese", """
            # hiragana, katakana and kanji, by raw character and by escape
            root ::= jp+ ([ \t\n] jp+)*
            jp ::= [ぁ-ゟ] | [\u30A0-\u30FF] | [一-鿿] | [\U00003000-\U0000303F]
            """, ["こんにちは", "カタカナ 漢字。"], ["abc", ""]),

        ("json-like", """
            root   ::= object
            value  ::= object | array | string | number | ("true" | "false" | "null") ws

            object ::=
              "{" ws (
                        string ":" ws value
                ("," ws string ":" ws value)*
              )? "}" ws

            array  ::=
              "[" ws (
                        value
                ("," ws value)*
              )? "]" ws

            string ::=
              "\"" (
                [^"\\\x7F\x00-\x1F] |
                "\\" (["\\bfnrt/] | "u" [0-9a-fA-F]{4}) # escapes
              )* "\"" ws

            number ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]+)? ([eE] [-+]? [0-9] [1-9]{0,15})? ws

            # optional space, bounded
            ws ::= | " " | "\n" [ \t]{0,20}
            """, ["{\"a\": [1, 2.5, \"x\\u00e9\"], \"b\": {\"c\": null}}", "{}"], ["{\"a\" 1}", "[1]", "{\"a\":01x}"]),

        ("json-array", """
            root ::= arr
            arr  ::= "[\n" ws (value ("," ws value)*)? "]"
            value ::= "\"" [a-z]* "\"" | [0-9]+
            ws ::= ([ \t\n] ws)?
            """, ["[\n\"ab\", 12]", "[\n]"], ["[\"a\"]", "[\n1,]"]),

        ("list", """
            root ::= item+
            # a dash, a space, then anything up to the end of the line
            item ::= "- " [^\r\n\x0b\x0c\x85\u2028\u2029]+ "\n"
            """, ["- one\n- two words\n"], ["- \n", "* one\n"]),

        ("c-like", """
            root ::= (declaration)*
            declaration ::= dataType identifier "(" parameter? ")" "{" statement* "}"
            dataType  ::= "int" ws | "float" ws | "char" ws
            identifier ::= [a-zA-Z_] [a-zA-Z_0-9]*
            parameter ::= dataType identifier
            statement ::=
                ( dataType identifier ws "=" ws expression ";" ) |
                ( identifier ws "=" ws expression ";" ) |
                ( "return" ws expression ";" ) |
                ( "while" "(" condition ")" "{" statement* "}" ) |
                ( "for" "(" forInit ";" ws condition ";" ws forUpdate ")" "{" statement* "}" ) |
                ( "if" "(" condition ")" "{" statement* "}" ("else" "{" statement* "}")? ) |
                ( singleLineComment ) |
                ( multiLineComment ) |
                ( ws )
            forInit ::= dataType identifier ws "=" ws expression | identifier ws "=" ws expression
            forUpdate ::= identifier ws "=" ws expression
            condition ::= expression relationOperator expression
            relationOperator ::= ("<=" | "<" | "==" | "!=" | ">=" | ">")
            expression ::= term (("+" | "-") term)*
            term ::= factor(("*" | "/") factor)*
            factor ::= identifier | number | unaryTerm | funcCall | parenExpression
            unaryTerm ::= "-" factor
            funcCall ::= identifier "(" argList? ")"
            parenExpression ::= "(" ws expression ws ")"
            argList ::= expression ("," ws expression)*
            number ::= [0-9]+
            singleLineComment ::= "//" [^\n]* "\n"
            multiLineComment ::= "/*" ( [^*] | ("*" [^/]) )* "*/"
            ws ::= ([ \t\n]+)
            """, ["int main(){x = 1+2;return x;}", "float f(int a){/* c */ while(a<3){a = a+1;}}"], ["int main(){x = ;}"]),

        ("repetition-counts", """
            root ::= "a"{3} "b"{2,} "c"{1,3} "d"{,2} ("x" | "y"){0,}
            """, ["aaabbc", "aaabbbbcccddxyx"], ["aabbc", "aaabc", "aaabbcccc", "aaabbcddd"]),

        ("escapes", """
            root ::= "\x41\u00e9\U0001F600\t\n\r\\\"" [\[\]\-] "." . 
            """, ["Aé😀\t\n\r\\\"-.z", "Aé😀\t\n\r\\\"[.😀"], ["Ae😀\t\n\r\\\"-.z"]),
    ];
}
