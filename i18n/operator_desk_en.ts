<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>CrashDialog</name>
    <message numerus="yes">
        <source>%n unexpected error(s) occurred.</source>
        <translation>
            <numerusform>%n unexpected error occurred.</numerusform>
            <numerusform>%n unexpected errors occurred.</numerusform>
        </translation>
    </message>
</context>
</TS>
